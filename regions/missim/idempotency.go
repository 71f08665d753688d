package missim

// Operation names recorded with each Idempotency-Key.
const (
	opHold   = "hold"
	opBook   = "book"
	opCancel = "cancel"
)

// keyRecord remembers the first decided answer given for an
// Idempotency-Key; keys are unique across operations and targets.
type keyRecord struct {
	op, target string
	appt       *appointment // the appointment the call acted on
	view       apptView     // the answer as first given
	err        *opError     // or the refusal first given
}

// replay returns the remembered answer for key, errKeyReused when the key
// was used for another call, or ok=false when the key is new. Caller holds mu.
func (s *Server) replay(key, op, target string) (v apptView, e *opError, ok bool) {
	rec := s.keys[key]
	if rec == nil || s.cfg.Quirks.Has(QuirkIgnoreIdempotency) {
		return apptView{}, nil, false
	}
	if rec.op != op || rec.target != target {
		return apptView{}, errKeyReused(), true
	}
	return rec.view, rec.err, true
}

// remember stores a decided answer (success or refusal). Caller holds mu.
func (s *Server) remember(key, op, target string, a *appointment, v apptView, e *opError) {
	if e != nil && !e.stored() {
		return
	}
	s.keys[key] = &keyRecord{op: op, target: target, appt: a, view: v, err: e}
}
