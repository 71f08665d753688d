package missim

import (
	"encoding/json"
	"net/http"
	"time"
)

// AdminAppointment is one hold or appointment as /admin/appointments shows
// it, with the Idempotency-Keys that created and changed it. Status is
// "pending", "booked", "cancelled" or "expired"; "expired" is a hold that
// lapsed before it was booked or released (contract reads show it as
// "cancelled").
type AdminAppointment struct {
	ID          string    `json:"id"`
	SlotID      string    `json:"slot_id"`
	Status      string    `json:"status"`
	HoldKey     string    `json:"hold_key"`
	BookKey     string    `json:"book_key,omitempty"`
	CancelKey   string    `json:"cancel_key,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	HoldExpires time.Time `json:"hold_expires"`
}

// Appointments returns every hold and appointment ever made, oldest first.
func (s *Server) Appointments() []AdminAppointment {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AdminAppointment, len(s.appts))
	for i, a := range s.appts {
		out[i] = AdminAppointment{
			ID: a.id, SlotID: a.slot.id, Status: a.statusAt(now),
			HoldKey: a.holdKey, BookKey: a.bookKey, CancelKey: a.cancelKey,
			CreatedAt: a.created.In(s.loc), UpdatedAt: a.updated.In(s.loc), HoldExpires: a.expires.In(s.loc),
		}
		if out[i].Status == statusExpired && a.status != statusExpired {
			out[i].UpdatedAt = a.expires.In(s.loc)
		}
	}
	return out
}

// handleAdminAppointments serves GET /admin/appointments (tests and demos
// only: behind withAdminAuth, not the contract's bearer-token check).
func (s *Server) handleAdminAppointments(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, "application/json", http.StatusOK, map[string]any{"appointments": s.Appointments()})
}

func (s *Server) handleGetFaults(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, "application/json", http.StatusOK, s.Faults())
}

// handlePutFaults serves PUT /admin/faults: the body replaces all faults.
func (s *Server) handlePutFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeBody(w, "application/json", http.StatusBadRequest, map[string]string{"error": "bad faults: " + err.Error()})
		return
	}
	if err := s.SetFaults(f); err != nil {
		writeBody(w, "application/json", http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeBody(w, "application/json", http.StatusOK, f)
}
