package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/contracts"
)

// errRateLimited is a reader over the API's rate limits (Config.Limits):
// the page says to wait, with a Retry-After.
var errRateLimited = contracts.NewError(contracts.KindConflict, "too many requests")

// limitAddress limits every request by its client address, before the
// session is read, as the API's does before the token is.
func (s *Server) limitAddress(next http.Handler) http.Handler {
	if s.cfg.Limits == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, after := s.cfg.Limits.AllowAddress(r); !ok {
			s.refuse(w, r, after)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuse answers a request over its address's limit with the error page,
// without its session: neither read nor written, so a flood costs the
// store nothing.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, after time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(after)))
	status, key, _ := explain(errRateLimited)
	v := view{Page: "error", Lang: langOf(r), Path: r.URL.RequestURI(), Data: errorView{Key: key}}
	v.Title = v.T("error.title")
	s.write(w, status, "error", v)
}

// limitCaller takes a token from the signed-in caller's budget (the one
// the API draws from: ratelimit.CallerKey); false when none is left, and
// the refusal is written.
func (s *Server) limitCaller(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Limits == nil {
		return true
	}
	ok, after := s.cfg.Limits.AllowCitizen(ratelimit.CallerKey(r.Context()), ratelimit.IsWrite(r.Method))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(after)))
		s.fail(w, r, errRateLimited)
	}
	return ok
}

// clientAddress is the reader's address for the audit trail: behind a
// trusted proxy the client's, read as the API reads it.
func (s *Server) clientAddress(r *http.Request) string { return s.cfg.Limits.ClientHost(r) }
