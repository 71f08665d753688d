package api

import (
	"net/http"

	"github.com/fedhealth/federation/contracts"
	"github.com/go-chi/chi/v5"
)

// callbackPath is where the MIS of a region sends status callbacks.
const callbackPath = "/api/v1/callbacks/{region}"

// callback serves POST /api/v1/callbacks/{region}: not behind citizen auth
// (the MIS authenticates each request by its signature, which
// broker/callbacks checks and answers for, problems included).
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Callbacks == nil {
		s.writeError(w, r, contracts.ErrNotFound)
		return
	}
	s.cfg.Callbacks.Serve(w, r, chi.URLParam(r, "region"))
}

// CallbackHandler serves only the callback endpoint, for a listener of its
// own (callback_listen) that operators expose to the regions' MIS networks
// and not to the internet. It has the correlation and tracing of the API
// but not the per-address rate limit: one MIS sends every callback of a
// region from a few addresses, in bursts when the clinic works through its
// day; what bounds a request is its body limit and signature.
func (s *Server) CallbackHandler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.correlate, s.trace)
	r.Post(callbackPath, s.callback)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { s.writeError(w, r, contracts.ErrNotFound) })
	r.MethodNotAllowed(s.methodNotAllowed)
	return secureHeaders(r)
}
