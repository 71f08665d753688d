package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPI is the OpenAPI 3.1 description of this API (openapi.yaml):
// every route the server has, its parameters, answers and problems. The
// server serves it as JSON at GET /api/v1/openapi.json; tests hold the
// router and every answer the component tests get to it.
//
//go:embed openapi.yaml
var OpenAPI []byte

// documents are the API's and the MIS contract's OpenAPI documents as
// served, converted from YAML once when the server is built.
type documents struct {
	api, mis []byte
}

func loadDocuments() (documents, error) {
	api, err := yamlToJSON(OpenAPI)
	if err != nil {
		return documents{}, fmt.Errorf("api: openapi.yaml: %w", err)
	}
	mis, err := yamlToJSON(misv2.OpenAPI)
	if err != nil {
		return documents{}, fmt.Errorf("api: MIS contract: %w", err)
	}
	return documents{api: api, mis: mis}, nil
}

// yamlToJSON reads an OpenAPI document with kin-openapi, so what is served
// as JSON is the document as a client library would read it.
func yamlToJSON(doc []byte) ([]byte, error) {
	t, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		return nil, err
	}
	return json.Marshal(t)
}

// serveDocument answers with a fixed document of the given media type.
func serveDocument(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
	}
}
