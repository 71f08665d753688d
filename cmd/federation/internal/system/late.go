package system

import (
	"net/http"
	"sync/atomic"

	"github.com/fedhealth/federation/broker/api"
)

// lateHandler answers 503 (the problem starting, with Retry-After) until
// the real handler is set: the server must
// listen before the API exists, because in demo mode the API's token
// verifier fetches keys from the same server.
type lateHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lateHandler) set(h http.Handler) { l.h.Store(&h) }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := l.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	api.Starting().ServeHTTP(w, r)
}
