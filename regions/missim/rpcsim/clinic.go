package rpcsim

import (
	"fmt"

	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
)

// Every simulator that books offers the clinic's side of the admin surface;
// this style's MIS sends no callbacks (its region converges by
// reconciliation), so its Notifier reports every change as "none".
var _ missim.ClinicAdmin = (*Server)(nil)

// Notifier is this simulator's: it sends nothing.
func (s *Server) Notifier() *missim.Notifier { return s.notifier }

// ChangeStatus makes a change at the clinic (see missim.ClinicAdmin).
func (s *Server) ChangeStatus(id string, req missim.StatusRequest) (missim.Change, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.appt(id)
	if a == nil {
		return missim.Change{}, fmt.Errorf("%w: %s", missim.ErrNoAppointment, id)
	}
	ended := a.status == jsonrpc.StatusFulfilled || a.status == jsonrpc.StatusNoShow
	switch {
	case (req.Status == missim.ChangeVisited || req.Status == missim.ChangeNoShow) && ended:
	case a.status != jsonrpc.StatusBooked:
		return missim.Change{}, fmt.Errorf("%w: %s is %s", missim.ErrNotChangeable, id, a.status)
	}
	switch req.Status {
	case missim.ChangeCancelled:
		a.status, a.slot.live = jsonrpc.StatusCancelled, nil
	case missim.ChangeMoved:
		to := s.slotNamed(req.SlotID)
		if to == nil || to.live != nil {
			return missim.Change{}, fmt.Errorf("%w: slot %s is unknown or not free", missim.ErrNotChangeable, req.SlotID)
		}
		a.slot.live = nil
		a.slot, to.live = to, a
	case missim.ChangeVisited:
		a.status = jsonrpc.StatusFulfilled
	case missim.ChangeNoShow:
		a.status = jsonrpc.StatusNoShow
	}
	a.updated = now
	return a.change(), nil
}

// BookElsewhere books for a patient through another channel (see
// missim.ClinicAdmin); this style knows the patient by OMS number.
func (s *Server) BookElsewhere(req missim.ElsewhereRequest) (missim.Change, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.slotNamed(req.SlotID)
	switch {
	case req.SlotID == "":
		sl = &slot{prac: s.order[0].prac, start: req.Start.In(s.loc), end: req.End.In(s.loc)}
	case sl == nil || sl.live != nil:
		return missim.Change{}, fmt.Errorf("%w: slot %s is unknown or not free", missim.ErrNotChangeable, req.SlotID)
	}
	a := &appointment{id: fmt.Sprint(firstID + len(s.appts)), oms: req.OMS, slot: sl, status: jsonrpc.StatusBooked, created: now, updated: now}
	s.appts = append(s.appts, a)
	sl.live = a
	return a.change(), nil
}

// slotNamed finds a slot by the adapter's id of it; the caller holds mu.
func (s *Server) slotNamed(id string) *slot {
	for _, sl := range s.order {
		if slotID(sl) == id {
			return sl
		}
	}
	return nil
}

// change describes a for the admin answer; the caller holds mu. This
// style keeps no version of an appointment.
func (a *appointment) change() missim.Change {
	p := a.slot.prac
	return missim.Change{AppointmentID: a.id, Start: a.slot.start, End: a.slot.end,
		Specialty: p.spec.Code, Practitioner: p.name, Location: p.fac.name}
}
