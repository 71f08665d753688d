package system_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fedhealth/federation/broker/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// apiDocument is the API's OpenAPI document, validated, and a router that
// finds a request's operation in it; loaded once for every test.
var apiDocument = sync.OnceValues(func() (*apiDoc, error) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &apiDoc{doc: doc, router: router}, nil
})

type apiDoc struct {
	doc    *openapi3.T
	router routers.Router
}

// conforms fails the test unless the answer r to req is one the API's
// document allows: a documented status of the operation, with its
// documented headers and a body of its schema. A method the path does not
// serve must be a 405 problem with Allow, a path nobody serves a 404
// problem. Every call of the harness passes through here, so every
// component test holds the server to its document; benchmarks are spared,
// since validating would be most of what they measure.
func (h *harness) conforms(req *http.Request, r response) {
	h.t.Helper()
	if _, bench := h.t.(*testing.B); bench {
		return
	}
	d, err := apiDocument()
	if err != nil {
		h.t.Fatalf("openapi.yaml: %v", err)
	}
	isProblem := r.header.Get("Content-Type") == "application/problem+json"
	route, params, err := d.router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		if r.status != http.StatusMethodNotAllowed || !isProblem || r.header.Get("Allow") == "" {
			h.t.Errorf("%s %s is not documented, yet answered %d (Allow %q): %s", req.Method, req.URL.Path,
				r.status, r.header.Get("Allow"), r.body)
		}
		return
	case errors.Is(err, routers.ErrPathNotFound):
		if r.status != http.StatusNotFound || !isProblem {
			h.t.Errorf("%s is not documented, yet answered %d: %s", req.URL.Path, r.status, r.body)
		}
		return
	case err != nil:
		h.t.Fatalf("find %s %s in openapi.yaml: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.status,
		Header:                 r.header,
		Body:                   io.NopCloser(bytes.NewReader(r.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		h.t.Errorf("%s %s: the answer breaks openapi.yaml: %v\nstatus %d, headers %v\n%s", req.Method, req.URL.Path,
			truncate([]byte(err.Error()), 3000), r.status, r.header, truncate(r.body, 2000))
	}
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}

// fillPath fills a documented path template with values the server will
// route: a booking id nobody has, a problem code that has its page.
func fillPath(template string) string {
	return strings.NewReplacer("{id}", "00000000-0000-0000-0000-000000000000", "{code}", "slot-taken").Replace(template)
}
