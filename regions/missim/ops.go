package missim

import (
	"strconv"
	"strings"

	"github.com/fedhealth/federation/contracts/misv1"
)

// holdRequest is a parsed $hold call.
type holdRequest struct {
	slotID   string
	patient  patient
	referral bool
	key      string
}

// hold reserves the slot for the patient until now+HoldTTL. The whole
// decision happens under mu, so two holds on one slot can never both win.
func (s *Server) hold(req holdRequest) (apptView, *opError) {
	target := "Slot/" + req.slotID + "#" + req.patient.fingerprint()
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, e, ok := s.replay(req.key, opHold, target); ok {
		return v, e
	}
	sl := s.slotByID(req.slotID)
	if sl == nil {
		return apptView{}, errNotFound("no slot " + req.slotID)
	}
	if e := s.admit(sl, req); e != nil {
		s.remember(req.key, opHold, target, nil, apptView{}, e)
		return apptView{}, e
	}
	if sl.live != nil {
		sl.live.settle(now)
	}
	if sl.live != nil || !sl.start.After(now) { // a slot that has begun is no longer on offer
		s.remember(req.key, opHold, target, nil, apptView{}, errSlotTaken)
		return apptView{}, errSlotTaken
	}
	a := &appointment{
		id: "A-" + strconv.Itoa(len(s.appts)+1), slot: sl, status: misv1.StatusPending,
		holdKey: req.key, created: now, updated: now, expires: now.Add(s.cfg.HoldTTL),
	}
	s.appts = append(s.appts, a)
	sl.live = a
	v := a.view(now)
	s.remember(req.key, opHold, target, a, v, nil)
	return v, nil
}

// admit applies the region's attachment and referral rules.
func (s *Server) admit(sl *slot, req holdRequest) *opError {
	code := sl.prac.spec.Code
	if s.requireReferral[code] && !req.referral {
		return errReferralRequired
	}
	if s.requireAttach[code] && s.attachedFacility(req.patient) != sl.prac.fac {
		return errNotAttached
	}
	return nil
}

// book turns a live hold into a booking. Booking a booked appointment
// again answers with the booking; a lapsed or released hold is refused.
func (s *Server) book(id, key string) (apptView, *opError) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, e, ok := s.replay(key, opBook, id); ok {
		return v, e
	}
	a := s.apptByID(id)
	if a == nil {
		return apptView{}, errNotFound("no appointment " + id)
	}
	a.settle(now)
	switch a.status {
	case misv1.StatusPending:
		a.status, a.bookKey, a.updated = misv1.StatusBooked, key, now
	case misv1.StatusBooked:
	default:
		s.remember(key, opBook, id, a, apptView{}, errHoldExpired)
		return apptView{}, errHoldExpired
	}
	v := a.view(now)
	s.remember(key, opBook, id, a, v, nil)
	return v, nil
}

// cancel releases a hold or cancels a booking and frees the slot.
// Cancelling what is already cancelled or lapsed changes nothing.
func (s *Server) cancel(id, key string) (apptView, *opError) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, e, ok := s.replay(key, opCancel, id); ok {
		return v, e
	}
	a := s.apptByID(id)
	if a == nil {
		return apptView{}, errNotFound("no appointment " + id)
	}
	a.settle(now)
	if a.status == misv1.StatusPending || a.status == misv1.StatusBooked {
		a.status, a.cancelKey, a.updated = misv1.StatusCancelled, key, now
		a.release()
	}
	v := a.view(now)
	s.remember(key, opCancel, id, a, v, nil)
	return v, nil
}

// read returns the appointment's current state.
func (s *Server) read(id string) (apptView, *opError) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apptByID(id)
	if a == nil {
		return apptView{}, errNotFound("no appointment " + id)
	}
	return a.view(now), nil
}

// findByHoldKey returns the current state of the appointment created by the
// $hold that carried key, or ok=false when no hold with that key took effect.
func (s *Server) findByHoldKey(key string) (apptView, bool) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.keys[key]
	if rec == nil || rec.op != opHold || rec.appt == nil {
		return apptView{}, false
	}
	return rec.appt.view(now), true
}

// slotByID resolves "S-<n>" by index; ids are dense by construction.
func (s *Server) slotByID(id string) *slot {
	n, ok := parseSeq(id, "S-")
	if !ok || n > len(s.world.slots) {
		return nil
	}
	return s.world.slots[n-1]
}

// apptByID resolves "A-<n>"; caller holds mu.
func (s *Server) apptByID(id string) *appointment {
	n, ok := parseSeq(id, "A-")
	if !ok || n > len(s.appts) {
		return nil
	}
	return s.appts[n-1]
}

func parseSeq(id, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || !isDigits(rest) || len(rest) > 9 {
		return 0, false
	}
	n, _ := strconv.Atoi(rest)
	return n, n >= 1
}

// attachedFacility is the polyclinic the patient is attached to: chosen
// from a hash of the patient's identifiers so it is stable per patient.
func (s *Server) attachedFacility(p patient) *facility {
	return s.world.facilities[p.hash()%uint64(len(s.world.facilities))]
}
