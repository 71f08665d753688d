package missim

import (
	"fmt"
	"strconv"

	"github.com/fedhealth/federation/contracts/misv2"
)

// Every simulator that books offers the clinic's side of the admin surface.
var _ ClinicAdmin = (*Server)(nil)

// Notifier sends this simulator's status callbacks (contract 1.1's JSON).
func (s *Server) Notifier() *Notifier { return s.notifier }

// ChangeStatus makes a change at the clinic: a booked appointment is
// cancelled (its slot freed), moved to a free slot, or recorded as
// visited or no-show (either may correct the other).
func (s *Server) ChangeStatus(id string, req StatusRequest) (Change, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apptByID(id)
	if a == nil {
		return Change{}, fmt.Errorf("%w: %s", ErrNoAppointment, id)
	}
	a.settle(now)
	ended := a.status == misv2.StatusFulfilled || a.status == misv2.StatusNoShow
	switch {
	case (req.Status == ChangeVisited || req.Status == ChangeNoShow) && ended:
	case a.status != misv2.StatusBooked:
		return Change{}, fmt.Errorf("%w: %s is %s", ErrNotChangeable, id, a.status)
	}
	switch req.Status {
	case ChangeCancelled:
		a.status = misv2.StatusCancelled
		a.release()
	case ChangeMoved:
		to := s.slotByID(req.SlotID)
		if to == nil || !to.freeAt(now) {
			return Change{}, fmt.Errorf("%w: slot %s is unknown or not free", ErrNotChangeable, req.SlotID)
		}
		a.release()
		a.slot, to.live = to, a
	case ChangeVisited:
		a.status = misv2.StatusFulfilled
	case ChangeNoShow:
		a.status = misv2.StatusNoShow
	}
	a.version++
	a.updated = now
	s.log.Info("clinic changed an appointment", "appointment", id, "change", req.Status)
	return s.change(a), nil
}

// BookElsewhere books for a patient through another channel: on a free
// slot, or a walk-in outside the schedule with the first doctor.
func (s *Server) BookElsewhere(req ElsewhereRequest) (Change, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sl := s.slotByID(req.SlotID)
	switch {
	case req.SlotID == "":
		n := len(s.appts) + 1
		sl = newSlot(n, s.world.practitioners[0], req.Start.In(s.loc), req.End.In(s.loc))
		sl.id = "W-" + strconv.Itoa(n) // outside the schedule: never offered by a search
	case sl == nil || !sl.freeAt(now):
		return Change{}, fmt.Errorf("%w: slot %s is unknown or not free", ErrNotChangeable, req.SlotID)
	}
	a := &appointment{id: "A-" + strconv.Itoa(len(s.appts)+1), slot: sl, status: misv2.StatusBooked,
		patient: patient{snils: req.SNILS, oms: req.OMS}, channel: req.Channel, created: now, updated: now, version: 1}
	s.appts = append(s.appts, a)
	sl.live = a
	s.log.Info("appointment booked through another channel", "appointment", a.id, "channel", req.Channel)
	return s.change(a), nil
}

// change describes a for its callback; the caller holds mu.
func (s *Server) change(a *appointment) Change {
	p := a.slot.prac
	return Change{AppointmentID: a.id, Sequence: a.version, Start: a.slot.start, End: a.slot.end,
		Specialty: p.spec.Code, Practitioner: p.name, Location: p.fac.name}
}
