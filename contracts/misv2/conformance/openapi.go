package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/fedhealth/federation/contracts/misv2"
)

// specRouter finds the operation of openapi.yaml a request is for; built
// once from the embedded spec, so the kit checks against exactly the
// contract it ships with.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(misv2.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	doc.Servers = nil // paths are matched relative to whatever base the MIS has
	return gorillamux.NewRouter(doc)
})

// validationOptions check the status code too: an answer the contract
// does not document is a mismatch, not something to let through.
var validationOptions = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
}

// validateRequest checks req, one of the kit's own requests, against
// openapi.yaml (kin-openapi's request validation): path and query
// parameters, headers, media type and body schema. A vendor is tested only
// with requests the contract allows, so a mismatch here is the kit's
// fault, never the MIS's; the requests that are off the contract on
// purpose (a refusal is what they test) are sent with offContract.
func validateRequest(basePath string, req *http.Request) error {
	router, err := specRouter()
	if err != nil {
		return err
	}
	rel := req.Clone(req.Context())
	rel.URL.Path = strings.TrimPrefix(req.URL.Path, basePath)
	if req.GetBody != nil {
		if rel.Body, err = req.GetBody(); err != nil {
			return err
		}
	}
	route, params, err := router.FindRoute(rel)
	if err != nil {
		return fmt.Errorf("no operation of openapi.yaml: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: rel, PathParams: params, Route: route, Options: validationOptions}
	if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		return flatten(err)
	}
	return nil
}

// validateResponse checks r, the answer to req, against openapi.yaml
// (kin-openapi's response validation): status, headers, media type and
// body schema. A request the spec does not describe is itself an error.
// basePath is the path of the contract's base URL ("/fhir"), which the
// spec's paths are relative to.
func validateResponse(basePath string, req *http.Request, r response) error {
	router, err := specRouter()
	if err != nil {
		return err
	}
	// The router matches the path relative to the contract's base.
	rel := req.Clone(req.Context())
	rel.URL.Path = strings.TrimPrefix(req.URL.Path, basePath)
	route, params, err := router.FindRoute(rel)
	if err != nil {
		return fmt.Errorf("no operation of openapi.yaml: %w", err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: rel, PathParams: params, Route: route, Options: validationOptions},
		Status:                 r.status, Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
		Options: validationOptions,
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return flatten(err)
	}
	return nil
}

// flatten makes kin-openapi's multi-error one readable line per issue.
func flatten(err error) error {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var b bytes.Buffer
		for i, e := range me {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(e.Error())
		}
		return errors.New(b.String())
	}
	return err
}
