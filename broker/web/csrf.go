package web

import (
	"crypto/subtle"
	"net/http"
)

// csrfField is the hidden field of every POST form.
const csrfField = "csrf"

// protect refuses state-changing requests from other sites in two ways,
// because neither covers every browser alone: net/http's
// CrossOriginProtection refuses a cross-origin POST by Sec-Fetch-Site or
// Origin (what every current browser sends), and the session's token in
// the form's hidden field refuses one from a browser that sends neither
// (the token travels only in the form, never a header: pages post plain
// forms, and the JSON endpoint only reads).
func (s *Server) protect(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errCSRF)
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			want := s.sessions.GetString(r.Context(), keyCSRF)
			got := r.PostFormValue(csrfField)
			if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
				s.fail(w, r, errCSRF)
				return
			}
		}
		next.ServeHTTP(w, r)
	}))
}
