package missim

import (
	"strconv"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
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
	if (sl.live != nil && !s.cfg.Quirks.Has(QuirkDoubleBook)) || !sl.start.After(now) { // a slot that has begun is no longer on offer
		s.remember(req.key, opHold, target, nil, apptView{}, errSlotTaken)
		return apptView{}, errSlotTaken
	}
	expires, lapses := s.cfg.Quirks.expires(now, s.cfg.HoldTTL)
	a := &appointment{
		id: "A-" + strconv.Itoa(len(s.appts)+1), slot: sl, status: misv2.StatusPending,
		holdKey: req.key, patient: req.patient, created: now, updated: now, expires: expires, lapses: lapses,
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
	if v, e, ok := s.replay(key, opBook, id); ok && !s.cfg.Quirks.Has(QuirkBookNotIdempotent) {
		return v, e
	}
	a := s.apptByID(id)
	if a == nil {
		return apptView{}, errNotFound("no appointment " + id)
	}
	s.cfg.Quirks.settleForBook(a, now)
	switch {
	case a.status == misv2.StatusPending:
		a.status, a.bookKey, a.updated = s.cfg.Quirks.booked(), key, now
	case a.status == misv2.StatusBooked:
		if s.cfg.Quirks.Has(QuirkBookNotIdempotent) {
			return apptView{}, errHoldExpired
		}
	case s.cfg.Quirks.rebook(a):
		a.status, a.bookKey, a.updated = misv2.StatusBooked, key, now
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
	if v, e, ok := s.replay(key, opCancel, id); ok && !s.cfg.Quirks.Has(QuirkCancelNotIdempotent) {
		return v, e
	}
	a := s.apptByID(id)
	if a == nil {
		return apptView{}, errNotFound("no appointment " + id)
	}
	a.settle(now)
	switch {
	case a.status == misv2.StatusPending || a.status == misv2.StatusBooked:
		a.status, a.cancelKey, a.updated = misv2.StatusCancelled, key, now
		s.cfg.Quirks.release(a)
	case s.cfg.Quirks.Has(QuirkCancelNotIdempotent):
		return apptView{}, errHoldExpired
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

// inPeriod returns the appointments whose slot starts within [from, to].
func (s *Server) inPeriod(from, to time.Time) []apptView {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []apptView
	for _, a := range s.appts {
		if st := a.slot.start; !st.Before(from) && !st.After(to) {
			out = append(out, a.view(now))
		}
	}
	return out
}
