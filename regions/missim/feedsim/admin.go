package feedsim

import (
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
)

// maxAdminBody bounds an admin request body.
const maxAdminBody = 64 << 10

// withAdminAuth applies regions/missim's admin rule (Config.AdminToken):
// the token, when configured, is required from every caller; without one,
// only connections that arrived on a loopback address are served. It is
// repeated here rather than shared because missim keeps it unexported and
// the two simulators must stay separable.
func (s *Server) withAdminAuth(next http.Handler) http.Handler {
	want := []byte("Bearer " + s.cfg.AdminToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case s.cfg.AdminToken == "" && arrivedOnLoopback(r):
		case s.cfg.AdminToken == "":
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		case subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1:
			w.Header().Set("WWW-Authenticate", `Bearer realm="feedsim-admin"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "the admin endpoints need the simulator's admin token as Authorization: Bearer"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// arrivedOnLoopback reports whether the request's connection was accepted
// on a loopback address; it reads the server's side of the connection,
// which the client cannot choose.
func arrivedOnLoopback(r *http.Request) bool {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	ap, err := netip.ParseAddrPort(addr.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

func (s *Server) handleGetFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Faults())
}

// handlePutFaults serves PUT /admin/faults: the body replaces all faults.
func (s *Server) handlePutFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if !decode(w, r, &f) {
		return
	}
	if err := s.SetFaults(f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, f)
}

// handlePutSlot serves PUT /admin/slots/{id} {"status":"busy"}: the clinic
// changed the slot in its own system.
func (s *Server) handlePutSlot(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status string `json:"status"`
	}
	if !decode(w, r, &body) {
		return
	}
	if err := s.SetSlotStatus(r.PathValue("id"), body.Status); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad body: " + err.Error()})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may have gone; nothing to do about it
}
