package contracts

import "errors"

// Sentinel errors shared by every port. Adapters wrap them with
// fmt.Errorf("...: %w", ErrX) so callers test them with errors.Is; the HTTP
// layer maps each to exactly one status and citizen-facing sentence.
var (
	// ErrInvalid: the request is malformed or violates a rule of the contract.
	// Retrying the same request cannot succeed.
	ErrInvalid = errors.New("invalid request")

	// ErrNotFound: the named slot, appointment, booking or region does not
	// exist (or is not visible to the caller).
	ErrNotFound = errors.New("not found")

	// ErrConflict: the request collides with one in flight (for example the
	// same idempotency key used concurrently). Retrying later may succeed.
	ErrConflict = errors.New("conflict")

	// ErrSlotTaken: the MIS refused a hold because someone else has the slot.
	// A business "no": it never counts against the region's breaker.
	ErrSlotTaken = errors.New("slot already taken")

	// ErrHoldExpired: the hold lapsed (or was released) before it was booked.
	ErrHoldExpired = errors.New("hold expired")

	// ErrNotAttached: the patient is not attached to this clinic for primary care.
	ErrNotAttached = errors.New("patient not attached to this clinic")

	// ErrReferralRequired: this specialist accepts patients only with a referral.
	ErrReferralRequired = errors.New("referral required")

	// ErrRegionUnavailable: the region's MIS is down, failing or its breaker
	// is open. The call was not made or did not complete; the work should
	// wait and be retried, never guessed.
	ErrRegionUnavailable = errors.New("region unavailable")

	// ErrOutcomeUnknown: a state-changing call was sent but no answer came
	// (timeout, connection lost). It may or may not have taken effect at the
	// MIS; resolve by repeating it with the same idempotency key or by reading
	// back, never by compensating blindly.
	ErrOutcomeUnknown = errors.New("outcome unknown")
)

// IsRefusal reports whether err is a business refusal by the MIS: a final
// answer that the citizen must see and that says nothing about the MIS's
// health.
func IsRefusal(err error) bool {
	return errors.Is(err, ErrSlotTaken) || errors.Is(err, ErrHoldExpired) ||
		errors.Is(err, ErrNotAttached) || errors.Is(err, ErrReferralRequired)
}
