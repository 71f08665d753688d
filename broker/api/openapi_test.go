package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-chi/chi/v5"
)

func loadDoc(t *testing.T, data []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return doc
}

func TestTheDocumentIsValidOpenAPI31(t *testing.T) {
	doc := loadDoc(t, OpenAPI)
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	if doc.Components.SecuritySchemes["bearer"] == nil {
		t.Error("no bearer security scheme")
	}
}

// operations lists "METHOD /path/{param}" for every operation of doc.
func operations(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// routes lists "METHOD /path/{param}" for every route chi knows.
func routes(t *testing.T, r chi.Routes) []string {
	t.Helper()
	var out []string
	err := chi.Walk(r, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestEveryRouteIsDocumentedWithItsMethodAndPath(t *testing.T) {
	documented := operations(loadDoc(t, OpenAPI))
	served := routes(t, routedServer(t).router)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not in openapi.yaml", r)
		}
	}
	for _, op := range documented {
		if !slices.Contains(served, op) {
			t.Errorf("%s is in openapi.yaml but not routed", op)
		}
	}
	if len(served) < 13 {
		t.Errorf("chi.Walk found %d routes: %v; the walk is not looking", len(served), served)
	}
}

// TestEveryDocumentedOperationIsRouted resolves each documented operation,
// with its path parameters filled in, in the router: the request would
// reach the operation's handler, not the 404 or 405 answer.
func TestEveryDocumentedOperationIsRouted(t *testing.T) {
	s := routedServer(t)
	for _, op := range operations(loadDoc(t, OpenAPI)) {
		method, template, _ := strings.Cut(op, " ")
		path := pathParam.ReplaceAllString(template, "x-1")
		if got := s.router.Find(chi.NewRouteContext(), method, path); got != template {
			t.Errorf("%s %s routes to %q, want %s", method, path, got, template)
		}
	}
}

func TestTheDocumentsAreServed(t *testing.T) {
	s := httptest.NewServer(routedServer(t).Handler())
	defer s.Close()
	cases := []struct {
		name, path, contentType string
		want                    []byte // the document it must read as
	}{
		{"this API's document as JSON", "/api/v1/openapi.json", "application/json", OpenAPI},
		{"the MIS contract as YAML", "/contracts/mis/v2/openapi.yaml", "application/yaml", misv2.OpenAPI},
		{"the MIS contract as JSON", "/contracts/mis/v2/openapi.json", "application/json", misv2.OpenAPI},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Get(s.URL + c.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != c.contentType {
				t.Fatalf("%d %s, want 200 %s", resp.StatusCode, resp.Header.Get("Content-Type"), c.contentType)
			}
			if c.contentType == "application/json" && !json.Valid(body) {
				t.Fatalf("not JSON: %.200s", body)
			}
			got, want := loadDoc(t, body), loadDoc(t, c.want)
			if g, w := operations(got), operations(want); !slices.Equal(g, w) {
				t.Errorf("served operations %v, want %v", g, w)
			}
			if got.Info.Title != want.Info.Title || len(got.Components.Schemas) != len(want.Components.Schemas) {
				t.Errorf("served %q with %d schemas, want %q with %d", got.Info.Title, len(got.Components.Schemas),
					want.Info.Title, len(want.Components.Schemas))
			}
		})
	}
}
