package system

import (
	"net/http"
	"sync/atomic"
)

// lateHandler answers 503 until the real handler is set: the server must
// listen before the API exists, because in demo mode the API's token
// verifier fetches keys from the same server.
type lateHandler struct{ h atomic.Pointer[http.Handler] }

func (l *lateHandler) set(h http.Handler) { l.h.Store(&h) }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := l.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	w.Header().Set("Retry-After", "1")
	http.Error(w, "starting", http.StatusServiceUnavailable)
}
