package missim

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
)

// MinAdminToken is the shortest admin token accepted: the admin endpoints
// can read every appointment and take the simulator down.
const MinAdminToken = 16

const minAdminToken = MinAdminToken

// AdminAuth is the admin rule of every simulator of this repository
// (Config.AdminToken, and the same field of soapsim, rpcsim and feedsim):
// token, when configured, is required from every caller; without one, only
// connections that arrived on a loopback address are served and everyone
// else is told there is nothing here.
func AdminAuth(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case token == "" && arrivedOnLoopback(r):
		case token == "":
			writeProblem(w, http.StatusNotFound, "Not Found", "")
			return
		case subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1:
			w.Header().Set("WWW-Authenticate", `Bearer realm="missim-admin"`)
			writeProblem(w, http.StatusUnauthorized, "Unauthorized",
				"the admin endpoints need the simulator's admin token as Authorization: Bearer")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// arrivedOnLoopback reports whether the request's connection was accepted
// on a loopback address (127.0.0.0/8, ::1). It reads the server's side of
// the connection, which the client cannot choose; a request served without
// a net/http server (no local address) is not on loopback.
func arrivedOnLoopback(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ap, err := netip.ParseAddrPort(addr.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// problem is an RFC 9457 problem document, the admin endpoints' error shape.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

func writeProblem(w http.ResponseWriter, status int, title, detail string) {
	writeBody(w, "application/problem+json", status, problem{Type: "about:blank", Title: title, Status: status, Detail: detail})
}
