package api

import (
	"net/http"
	"strconv"
)

// MaxHeaderBytes is the most a request's header may hold (request line
// and header fields): no request of this API needs a fraction of it.
// Edge answers a request over it with the problem headers-too-large.
const MaxHeaderBytes = 32 << 10

// ServerMaxHeaderBytes is for http.Server.MaxHeaderBytes: a little above
// MaxHeaderBytes, so that a request just over the limit gets Edge's
// problem rather than net/http's own plain-text 431 (ProblemListener turns
// that one, for still larger headers, into a problem too).
const ServerMaxHeaderBytes = MaxHeaderBytes + 8<<10

// Edge wraps the server's whole handler, whatever it serves (the API, a
// development identity provider, the start-up answer): it refuses headers
// over MaxHeaderBytes and sets the security headers of every answer (see
// secureHeaders).
func Edge(h http.Handler) http.Handler {
	return secureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if headerBytes(r) > MaxHeaderBytes {
			w.Header().Set("Connection", "close")
			writeProblem(w, r, headersTooLarge.problem(headersTooLarge.detail))
			return
		}
		h.ServeHTTP(w, r)
	}))
}

var headersTooLarge = problemType{http.StatusRequestHeaderFieldsTooLarge, "headers-too-large", "Request headers too large",
	"The request's header fields are over " + strconv.Itoa(MaxHeaderBytes>>10) + " KiB.", ""}

// headerBytes is about what the request's header took on the wire:
// request line, Host and every field with its ": " and CRLF.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len("Host: ") + len(r.Host) + 2
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + len(v) + 4
		}
	}
	return n
}

// hsts is sent on answers over TLS: browsers then refuse plain HTTP to
// this host for a year.
const hsts = "max-age=31536000"

// secureHeaders sets on every answer: X-Content-Type-Options: nosniff (a
// problem or a booking is never sniffed into HTML); Cache-Control:
// no-store unless the handler says otherwise, so that bookings, history
// and slot searches, which are personal data, stay out of every cache (the
// documents and problem pages set their own); and, over TLS,
// Strict-Transport-Security.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", hsts)
		}
		next.ServeHTTP(w, r)
	})
}

// Starting answers every request with the problem starting (503) and
// Retry-After: 1: what a server that listens before its API is built
// answers meanwhile.
func Starting() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		writeProblem(w, r, starting.problem(starting.detail))
	})
}

var starting = problemType{http.StatusServiceUnavailable, "starting", "The service is starting",
	"The service is starting; try again in a moment.", ""}
