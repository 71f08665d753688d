package api

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// probedMethods are the methods a 405 answer may list in Allow: those chi
// routes by name.
var probedMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace,
}

var notAllowedProblem = problemType{http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
	"This path does not serve this method; the Allow header lists those it does.", ""}

// methodNotAllowed answers a method the path does not serve with a problem
// and, as RFC 9110 requires of a 405, an Allow header listing the methods
// it does serve.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	if allowed := allowedMethods(s.router, r); len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
	}
	// The detail is fixed: the method is the caller's input, of any length.
	writeProblem(w, r, notAllowedProblem.problem(notAllowedProblem.detail))
}

// allowedMethods probes the route tree once per method: chi works the same
// list out while routing but hands it only to its built-in 405 handler,
// not to a custom one.
func allowedMethods(routes chi.Routes, r *http.Request) []string {
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	var out []string
	for _, m := range probedMethods {
		if routes.Match(chi.NewRouteContext(), m, path) {
			out = append(out, m)
		}
	}
	return out
}
