package rpcsim

import (
	"fmt"
	"time"

	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
)

// Search limits of maxCount.
const (
	defaultCount = 100
	maxCount     = 1000
)

// firstID is the number of the first appointment: ids look like the
// city's long numeric ones.
const firstID = 700_000_001

func (s *Server) schedule(p *jsonrpc.ScheduleParams) (any, *rpcErr) {
	from, err1 := s.date(p.StartDate, 0)
	till, err2 := s.date(p.EndDate, 1) // the end date is inclusive
	if err1 != nil || err2 != nil || p.MaxCount < 0 {
		return nil, invalidParams("dates must be YYYY-MM-DD and maxCount not negative")
	}
	count := defaultCount
	if p.MaxCount > 0 && !s.cfg.Quirks.Has(missim.QuirkIgnoreCount) {
		count = min(p.MaxCount, maxCount)
	}
	var at time.Time
	if p.StartTime != "" {
		t, err := time.Parse(time.RFC3339, p.StartTime)
		if err != nil || p.AvailableResourceID == "" {
			return nil, invalidParams("startTime must be RFC 3339 and come with availableResourceId")
		}
		at = t
		if s.cfg.Quirks.Has(missim.QuirkWrongSlotRead) {
			at = at.Add(time.Duration(s.cfg.SlotMinutes) * time.Minute) // the resource's next slot answers instead
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := &jsonrpc.ScheduleResult{ScheduleOfDay: []jsonrpc.DaySchedule{}}
	n := 0
	for _, sl := range s.order {
		if n == count {
			break
		}
		pr := sl.prac
		if (sl.live != nil && !p.IncludeBusy) || (p.LpuID != "" && pr.fac.oid != p.LpuID) || (p.SpecialityID != "" && pr.spec.Code != p.SpecialityID) ||
			(p.AvailableResourceID != "" && pr.id != p.AvailableResourceID) || (!at.IsZero() && !sl.start.Equal(at)) ||
			(!from.IsZero() && sl.start.Before(from)) || (!till.IsZero() && !sl.start.Before(till)) {
			continue
		}
		day := sl.start.Format(time.DateOnly)
		if k := len(res.ScheduleOfDay); k == 0 || res.ScheduleOfDay[k-1].Date != day {
			res.ScheduleOfDay = append(res.ScheduleOfDay, jsonrpc.DaySchedule{Date: day, ScheduleBySlot: []jsonrpc.ScheduleSlot{}})
		}
		d := &res.ScheduleOfDay[len(res.ScheduleOfDay)-1]
		entry := sl.wire()
		if s.cfg.Quirks.Has(missim.QuirkMissingRequired) {
			entry.Lpu = jsonrpc.Lpu{} // the organisation left out
		}
		d.ScheduleBySlot = append(d.ScheduleBySlot, entry)
		n++
	}
	return res, nil
}

// date parses a local calendar date plus days; "" is open (zero).
func (s *Server) date(v string, days int) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, s.loc)
	return t.AddDate(0, 0, days), err
}

// patient checks the OMS policy and birth date and binds the policy to
// the birth date it first came with; the caller holds the lock.
func (s *Server) patient(oms, birthDate string) *rpcErr {
	if !digits(oms, 16, 16) {
		return invalidParams("omsNumber must have 16 digits")
	}
	if _, err := time.Parse(time.DateOnly, birthDate); err != nil {
		return invalidParams("birthDate must be YYYY-MM-DD")
	}
	known, ok := s.patients[oms]
	switch {
	case !ok:
		s.patients[oms] = birthDate
	case known != birthDate:
		return errPatientUnknown
	}
	return nil
}

// slotAt finds the slot of resource from start to end; the caller holds
// the lock.
func (s *Server) slotAt(resource, start, end string) (*slot, *rpcErr) {
	st, err1 := time.Parse(time.RFC3339, start)
	en, err2 := time.Parse(time.RFC3339, end)
	if err1 != nil || err2 != nil || resource == "" {
		return nil, invalidParams("availableResourceId, and startTime and endTime in RFC 3339, are required")
	}
	sl, ok := s.slots[slotKey(resource, st)]
	if !ok || !sl.end.Equal(en) {
		return nil, errSlotUnknown
	}
	return sl, nil
}

// admit checks the slot is free and the patient may book it; the caller
// holds the lock.
func (s *Server) admit(sl *slot, oms string) *rpcErr {
	switch {
	case sl.live != nil && !s.cfg.Quirks.Has(missim.QuirkDoubleBook):
		return errSlotTaken
	case s.requireReferral[sl.prac.spec.Code]:
		return errReferralRequired
	case s.requireAttach[sl.prac.spec.Code] && s.attached(oms) != sl.prac.fac:
		return errNotAttached
	}
	return nil
}

func (s *Server) create(p *jsonrpc.CreateParams) (any, *rpcErr) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.patient(p.OmsNumber, p.BirthDate); e != nil {
		return nil, e
	}
	sl, e := s.slotAt(p.AvailableResourceID, p.StartTime, p.EndTime)
	if e != nil {
		return nil, e
	}
	if e := s.admit(sl, p.OmsNumber); e != nil {
		return nil, e
	}
	a := &appointment{id: fmt.Sprint(firstID + len(s.appts)), oms: p.OmsNumber, slot: sl, status: jsonrpc.StatusBooked, created: now, updated: now}
	s.appts = append(s.appts, a)
	sl.live = a
	return &jsonrpc.CreateResult{ID: a.id}, nil
}

func (s *Server) cancel(p *jsonrpc.CancelParams) (any, *rpcErr) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.appt(p.AppointmentID)
	if a == nil {
		return nil, errApptUnknown
	}
	switch {
	case a.status == jsonrpc.StatusBooked:
		a.status, a.updated = jsonrpc.StatusCancelled, now
		if !s.cfg.Quirks.Has(missim.QuirkCancelKeepsSlot) {
			a.slot.live = nil
		}
	case s.cfg.Quirks.Has(missim.QuirkCancelNotIdempotent):
		return nil, errApptUnknown // what is cancelled is, to this MIS, gone
	}
	return &jsonrpc.CancelResult{ID: a.id, Status: a.status}, nil
}

// shift moves a booked appointment to another slot. A repeat to the slot
// it already has answers the same.
func (s *Server) shift(p *jsonrpc.ShiftParams) (any, *rpcErr) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.appt(p.AppointmentID)
	if a == nil || a.status != jsonrpc.StatusBooked {
		return nil, errApptUnknown
	}
	sl, e := s.slotAt(p.AvailableResourceID, p.StartTime, p.EndTime)
	if e != nil {
		return nil, e
	}
	if sl != a.slot {
		if e := s.admit(sl, a.oms); e != nil {
			return nil, e
		}
		a.slot.live, sl.live = nil, a
		a.slot, a.updated = sl, now
	}
	return a.reception(), nil
}

func (s *Server) receptions(p *jsonrpc.ReceptionsParams) (any, *rpcErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.patient(p.OmsNumber, p.BirthDate); e != nil {
		return nil, e
	}
	res := &jsonrpc.ReceptionsResult{Appointments: []jsonrpc.Reception{}}
	for _, a := range s.appts {
		if a.oms == p.OmsNumber {
			res.Appointments = append(res.Appointments, a.reception())
		}
	}
	return res, nil
}

// reception renders a as the read-back does; the caller holds the lock.
func (a *appointment) reception() jsonrpc.Reception {
	return jsonrpc.Reception{ID: a.id, AvailableResourceID: a.slot.prac.id,
		StartTime: a.slot.start.Format(time.RFC3339), EndTime: a.slot.end.Format(time.RFC3339), Status: a.status}
}

// appt finds an appointment by id; the caller holds the lock.
func (s *Server) appt(id string) *appointment {
	var n int
	if _, err := fmt.Sscan(id, &n); err != nil || n < firstID || n-firstID >= len(s.appts) || s.appts[n-firstID].id != id {
		return nil
	}
	return s.appts[n-firstID]
}
