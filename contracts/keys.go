package contracts

import "strings"

// Step names as they appear in idempotency keys. They are part of the wire:
// an MIS remembers the keys it has seen (a repeated call with the same key
// changes nothing) and finds a hold again by its key (MIS.FindByHoldKey), so
// renaming a step makes the repeat of an earlier call look new to the MIS,
// a second hold for one booking.
const (
	StepHold    = "hold"    // MIS.Hold of a booking saga; its key is the appointment's HoldKey
	StepBook    = "book"    // MIS.Book of that hold
	StepRelease = "release" // MIS.Cancel undoing what a failed or rejected booking left
	StepCancel  = "cancel"  // MIS.Cancel of a cancellation saga
)

// stepKeySep separates the saga id from the step. Saga ids may contain it
// (they are opaque), step names never do, so keys are split at the last one.
const stepKeySep = ":"

// StepKey is the idempotency key a saga sends with the MIS call of one of
// its steps: "<saga id>:<step>". A repeat of the same step carries the same
// key, so the MIS recognises it; two steps of one saga never share a key.
func StepKey(sagaID, step string) string { return sagaID + stepKeySep + step }

// ParseStepKey splits a key made by StepKey. ok is false for a key that
// StepKey cannot have made (no separator, or an empty saga id or step), such
// as the key of an appointment some other system created at the MIS.
func ParseStepKey(key string) (sagaID, step string, ok bool) {
	i := strings.LastIndex(key, stepKeySep)
	if i <= 0 || i == len(key)-len(stepKeySep) {
		return "", "", false
	}
	return key[:i], key[i+len(stepKeySep):], true
}
