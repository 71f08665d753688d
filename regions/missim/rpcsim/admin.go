package rpcsim

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
)

// AdminAppointment is one appointment as /admin/appointments shows it. It
// names no patient. Status is booked or cancelled.
type AdminAppointment struct {
	ID        string    `json:"id"`
	SlotID    string    `json:"slot_id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Appointments returns every appointment ever made, oldest first.
func (s *Server) Appointments() []AdminAppointment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AdminAppointment, len(s.appts))
	for i, a := range s.appts {
		out[i] = AdminAppointment{ID: a.id, SlotID: slotID(a.slot), Status: a.status, CreatedAt: a.created.In(s.loc), UpdatedAt: a.updated.In(s.loc)}
	}
	return out
}

// SetFaults replaces the injected faults (missim's Faults: the same admin
// shape for every simulator); calls in flight keep the old ones.
func (s *Server) SetFaults(f missim.Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.faults.Store(&f)
	s.log.Info("faults set", "down", f.Down, "latency_ms", f.LatencyMS, "error_rate", f.ErrorRate,
		"timeout_after_commit_rate", f.TimeoutAfterCommitRate, "error_after_commit_rate", f.ErrorAfterCommitRate, "read_error_rate", f.ReadErrorRate)
	return nil
}

// Faults returns the faults in force.
func (s *Server) Faults() missim.Faults { return *s.faults.Load() }

func (s *Server) handleAdminAppointments(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"appointments": s.Appointments()})
}

func (s *Server) handleGetFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Faults())
}

// handlePutFaults serves PUT /admin/faults: the body replaces all faults.
func (s *Server) handlePutFaults(w http.ResponseWriter, r *http.Request) {
	var f missim.Faults
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad faults: " + err.Error()})
		return
	}
	if err := s.SetFaults(f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// slotID names the slot as the adapter does (jsonrpc.SlotID), so tests
// can match admin appointments to the broker's slots.
func slotID(sl *slot) string { return jsonrpc.SlotID(sl.prac.id, sl.start, sl.end) }
