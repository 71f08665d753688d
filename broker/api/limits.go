package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/contracts"
)

// errRateLimited is a caller over its rate limit: answered 429 with a
// Retry-After (the KindConflict of "later may work" for anyone who only
// knows the kinds).
var errRateLimited = contracts.NewError(contracts.KindConflict, "too many requests")

// retryLater is an error that says when to try again. The API's own 429s
// are one; the regions' refusals (the breaker's busy search budget) carry
// the same RetryAfter method, found by interface since broker never
// imports regions.
type retryLater struct {
	error
	after time.Duration
}

func (e retryLater) Unwrap() error { return e.error }

// RetryAfter is how long the caller should wait.
func (e retryLater) RetryAfter() time.Duration { return e.after }

// setRetryAfter answers Retry-After (whole seconds) with the delay err
// carries, when it carries one.
func setRetryAfter(w http.ResponseWriter, err error) {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(ra.RetryAfter())))
	}
}

// limitAddress limits every request by its client address, before sign-in,
// so that a flood of bad tokens costs little more than the limiter.
func (s *Server) limitAddress(next http.Handler) http.Handler {
	if s.limits == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			// Probes are not limited: a load balancer checks from one
			// address, and a flood from anyone else must not take every
			// instance out of it.
			next.ServeHTTP(w, r)
			return
		}
		if ok, after := s.limits.AllowAddress(r); !ok {
			s.writeError(w, r, retryLater{errRateLimited, after})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitCitizen limits a signed-in caller's requests (a citizen's, or an
// operator's under the same budget); it runs after the auth middleware,
// which put the verified caller in the context.
func (s *Server) limitCitizen(next http.Handler) http.Handler {
	if s.limits == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, after := s.limits.AllowCitizen(callerKey(r), ratelimit.IsWrite(r.Method)); !ok {
			s.writeError(w, r, retryLater{errRateLimited, after})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// capWaits holds each citizen to a few concurrent long-polls, each of which
// keeps a goroutine and a store watch for up to the wait. A read over the
// cap is served at once, without waiting, rather than refused: the answer
// is still true, the client polls again as it would after any wait, and
// the read budget (limitCitizen) bounds how fast it may.
func (s *Server) capWaits(next http.Handler) http.Handler {
	if s.limits == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d, err := time.ParseDuration(r.URL.Query().Get("wait")); err != nil || d <= 0 {
			next.ServeHTTP(w, r) // no wait (or a malformed one, which the handler refuses)
			return
		}
		end, ok := s.limits.BeginWait(citizen(r).Subject)
		if ok {
			defer end()
			next.ServeHTTP(w, r)
			return
		}
		r = r.Clone(r.Context())
		q := r.URL.Query()
		q.Del("wait")
		r.URL.RawQuery = q.Encode()
		next.ServeHTTP(w, r)
	})
}
