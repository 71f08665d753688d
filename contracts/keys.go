package contracts

import "strings"

// Step names as they appear in idempotency keys. They are part of the wire:
// an MIS remembers the keys it has seen (a repeated call with the same key
// changes nothing) and finds a hold again by its key (MIS.FindHold), so
// renaming a step makes the repeat of an earlier call look new to the MIS,
// a second hold for one booking.
const (
	StepHold    = "hold"    // MIS.Hold of a booking saga; its key is the appointment's HoldKey
	StepBook    = "book"    // MIS.Book of that hold
	StepRelease = "release" // MIS.Cancel undoing what a failed or rejected booking left
	StepCancel  = "cancel"  // MIS.Cancel of a cancellation saga

	// The reschedule saga's steps. A booking may be moved more than once,
	// so each move's keys name the move too: "<booking id>:reschedule_hold.<move id>".
	StepRescheduleHold    = "reschedule_hold"    // MIS.Hold of the new slot; its key is the new appointment's HoldKey
	StepRescheduleBook    = "reschedule_book"    // MIS.Book of that hold
	StepRescheduleRelease = "reschedule_release" // MIS.Cancel of the new hold when the move fails
	StepRescheduleCancel  = "reschedule_cancel"  // MIS.Cancel of the old appointment once the new is booked
	StepRescheduleShift   = "reschedule_shift"   // Shifter.Shift, the native move
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

// HoldStep reports whether step (as ParseStepKey returns it) is a hold of
// some saga, whose key is the appointment's HoldKey: the booking saga's
// StepHold, or a reschedule's StepRescheduleHold with its move's id. Both
// name the booking the appointment belongs to.
func HoldStep(step string) bool {
	return step == StepHold || strings.HasPrefix(step, StepRescheduleHold+".")
}
