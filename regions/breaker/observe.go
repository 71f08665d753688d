package breaker

import (
	"context"
	"errors"
	"time"
)

// Outcome is what became of one call of the port through the decorator,
// as Config.OnCall learns it. The values are stored by the analysts' read
// model: add new ones, never rename one.
type Outcome string

// The outcomes, in the breaker's own terms (IsSuccessful and verdict):
// the observer never classifies an error a second way.
const (
	// OutcomeOK is a call the MIS answered without error.
	OutcomeOK Outcome = "ok"
	// OutcomeRefused is an answer of a healthy MIS that is a business
	// "no" (slot taken, not found, invalid…): a success for the breaker.
	OutcomeRefused Outcome = "refused"
	// OutcomeFailed is a call counted against the region: unavailable,
	// timed out, a 5xx, a transport error, an unknown outcome.
	OutcomeFailed Outcome = "failed"
	// OutcomeCutShort is a call ended by the caller's cancellation or by
	// SearchTimeout: the breaker counts it neither way. Its duration is
	// how long it ran before it was cut.
	OutcomeCutShort Outcome = "cut_short"
	// OutcomeOpen is a call the breaker refused (open, or half-open with
	// its probes taken): no call was made, its duration is zero.
	OutcomeOpen Outcome = "open"
	// OutcomeShed is a call a budget refused before it was made (the
	// region is busy, not failing, ErrRegionBusy or ErrSearchBusy); its
	// duration is zero.
	OutcomeShed Outcome = "shed"
)

// Made reports whether a call reached the MIS (and so has a duration).
func (o Outcome) Made() bool { return o != OutcomeOpen && o != OutcomeShed }

// outcomeOf classifies a call that was made and returned err, with the
// ctx it ran under: the same verdict the breaker was given.
func outcomeOf(ctx context.Context, err error) Outcome {
	v := verdict(ctx, err)
	switch {
	case v == nil:
		return OutcomeOK
	case errors.Is(v, errNotTheRegion):
		return OutcomeCutShort
	case IsSuccessful(v):
		return OutcomeRefused
	}
	return OutcomeFailed
}

// observe tells Config.OnCall about one call; it runs on the caller's
// goroutine, so the observer must be quick.
func (m *MIS) observe(op string, d time.Duration, o Outcome) {
	if m.cfg.OnCall != nil {
		m.cfg.OnCall(op, d, o)
	}
}
