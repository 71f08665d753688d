package soapsim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/soap"
)

// Every simulator that books offers the clinic's side of the admin surface.
var _ missim.ClinicAdmin = (*Server)(nil)

// soapCallback is the soap kind's encoder: UpdateAppointmentStatus.
func soapCallback(cb misv2.StatusCallback) (http.Header, []byte, error) {
	body, err := soap.Marshal(soap.StatusUpdateOf(cb))
	return http.Header{"Content-Type": {soap.ContentType},
		"Soapaction": {`"` + soap.Action(soap.MethodUpdateAppointmentStatus) + `"`}}, body, err
}

// Notifier sends this simulator's UpdateAppointmentStatus callbacks.
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
	ended := a.status == soap.StatusFulfilled || a.status == soap.StatusNoShow
	switch {
	case (req.Status == missim.ChangeVisited || req.Status == missim.ChangeNoShow) && ended:
	case a.status != soap.StatusBooked:
		return missim.Change{}, fmt.Errorf("%w: %s is %s", missim.ErrNotChangeable, id, a.status)
	}
	switch req.Status {
	case missim.ChangeCancelled:
		a.status, a.slot.live = soap.StatusCancelled, nil
	case missim.ChangeMoved:
		to, ok := s.slots[req.SlotID]
		if !ok || to.live != nil {
			return missim.Change{}, fmt.Errorf("%w: slot %s is unknown or not free", missim.ErrNotChangeable, req.SlotID)
		}
		a.slot.live = nil
		a.slot, to.live = to, a
	case missim.ChangeVisited:
		a.status = soap.StatusFulfilled
	case missim.ChangeNoShow:
		a.status = soap.StatusNoShow
	}
	a.version++
	a.updated = now
	return a.change(), nil
}

// BookElsewhere books for a patient through another channel (see
// missim.ClinicAdmin).
func (s *Server) BookElsewhere(req missim.ElsewhereRequest) (missim.Change, error) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, ok := s.slots[req.SlotID]
	switch {
	case req.SlotID == "":
		sl = &slot{id: fmt.Sprintf("W-%d", len(s.appts)+1), prac: s.order[0].prac, start: req.Start.In(s.loc), end: req.End.In(s.loc)}
	case !ok || sl.live != nil:
		return missim.Change{}, fmt.Errorf("%w: slot %s is unknown or not free", missim.ErrNotChangeable, req.SlotID)
	}
	snils := strings.NewReplacer("-", "", " ", "").Replace(req.SNILS)
	a := &appointment{id: fmt.Sprintf("B-%d", len(s.appts)+1), patient: patientKey(snils, req.OMS), channel: req.Channel, slot: sl,
		status: soap.StatusBooked, created: now, updated: now, version: 1}
	s.appts = append(s.appts, a)
	sl.live = a
	return a.change(), nil
}

// change describes a for its callback; the caller holds mu.
func (a *appointment) change() missim.Change {
	p := a.slot.prac
	return missim.Change{AppointmentID: a.id, Sequence: a.version, Start: a.slot.start, End: a.slot.end,
		Specialty: p.post.Code, Practitioner: p.name, Location: p.fac.name}
}
