package api

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestAMethodThePathDoesNotServeIsA405ProblemListingTheMethodsItDoes(t *testing.T) {
	srv := httptest.NewServer(routedServer(t).Handler())
	defer srv.Close()
	cases := []struct {
		name, method, path, allow string
	}{
		{"bookings serve GET and POST", http.MethodDelete, "/api/v1/bookings", "GET, POST"},
		{"a booking's cancel serves POST only", http.MethodGet, "/api/v1/bookings/b-1/cancel", "POST"},
		{"the demo token serves POST only", http.MethodGet, "/api/v1/dev/token", "POST"},
		{"a probe serves GET only", http.MethodPost, "/healthz", "GET"},
		{"a problem page serves GET only", http.MethodPut, "/problems/slot-taken", "GET"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, pr := do(t, c.method, srv.URL+c.path)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != c.allow {
				t.Errorf("%d Allow %q, want 405 Allow %q", resp.StatusCode, resp.Header.Get("Allow"), c.allow)
			}
			if resp.Header.Get("Content-Type") != "application/problem+json" || pr.Code != "method-not-allowed" ||
				pr.Status != http.StatusMethodNotAllowed || pr.Type != problemBase+"method-not-allowed" ||
				pr.CorrelationID != resp.Header.Get(HeaderCorrelationID) || strings.Contains(pr.Detail, c.method) {
				t.Errorf("%s %+v, want a method-not-allowed problem with the correlation id, not quoting the method", resp.Header.Get("Content-Type"), pr)
			}
		})
	}
	if resp, pr := do(t, http.MethodDelete, srv.URL+"/api/v1/nowhere"); resp.StatusCode != http.StatusNotFound || pr.Code != "not-found" {
		t.Errorf("a path nobody serves answered %d %+v, want 404 not-found", resp.StatusCode, pr)
	}
}

// TestEveryPathsAllowHeaderListsItsDocumentedMethods asks every documented
// path with a method none of them serves.
func TestEveryPathsAllowHeaderListsItsDocumentedMethods(t *testing.T) {
	srv := httptest.NewServer(routedServer(t).Handler())
	defer srv.Close()
	for path, item := range loadDoc(t, OpenAPI).Paths.Map() {
		var want []string
		for m := range item.Operations() {
			want = append(want, m)
		}
		slices.Sort(want)
		resp, _ := do(t, http.MethodPatch, srv.URL+pathParam.ReplaceAllString(path, "x-1"))
		got := strings.Split(resp.Header.Get("Allow"), ", ")
		slices.Sort(got)
		if resp.StatusCode != http.StatusMethodNotAllowed || !slices.Equal(got, want) {
			t.Errorf("PATCH %s: %d Allow %v, want 405 Allow %v", path, resp.StatusCode, got, want)
		}
	}
}
