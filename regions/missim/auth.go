package missim

import (
	"crypto/subtle"
	"net/http"
)

// withAuth requires "Authorization: Bearer <token>" when a token is
// configured: the broker authenticates to the MIS on every contract call.
func (s *Server) withAuth(next http.Handler) http.Handler {
	if s.cfg.BearerToken == "" || s.cfg.Quirks.Has(QuirkOpenAccess) {
		return next
	}
	want := []byte("Bearer " + s.cfg.BearerToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mis"`)
			writeError(w, errUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
