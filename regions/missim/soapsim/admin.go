package soapsim

import (
	"github.com/fedhealth/federation/regions/missim"
)

// Every simulator offers missim's one admin surface.
var _ missim.Admin = (*Server)(nil)

// Appointments returns every appointment ever made, oldest first, as
// missim's admin view: Status in the wire's spelling (soap.StatusBooked,
// soap.StatusCancelled), no keys (the style takes none), no expiry.
func (s *Server) Appointments() []missim.AdminAppointment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]missim.AdminAppointment, len(s.appts))
	for i, a := range s.appts {
		out[i] = missim.AdminAppointment{ID: a.id, SlotID: a.slot.id, Status: a.status, CreatedAt: a.created.In(s.loc), UpdatedAt: a.updated.In(s.loc)}
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

// Quirks returns the simulator's quirks (missim.QuirkAdmin).
func (s *Server) Quirks() missim.Quirks { return s.cfg.Quirks }
