package sagas

import "github.com/fedhealth/federation/contracts"

// Status is the citizen-visible state of a booking.
type Status string

// Booking statuses. pending → confirmed | rejected | failed;
// confirmed → cancelling → cancelled (or back to confirmed if the clinic refuses).
const (
	StatusPending    Status = "pending"
	StatusConfirmed  Status = "confirmed"
	StatusRejected   Status = "rejected"
	StatusFailed     Status = "failed"
	StatusCancelling Status = "cancelling"
	StatusCancelled  Status = "cancelled"
)

// Final reports whether no saga will change s by itself any more.
func (s Status) Final() bool {
	switch s {
	case StatusConfirmed, StatusRejected, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// Step is where a booking's saga stands: the next thing it must do at the MIS.
// Steps are stored; renaming one strands the sagas that stand on it.
type Step string

// Saga steps.
const (
	StepHold    Step = "hold"    // hold the slot at the MIS
	StepBook    Step = "book"    // book the hold
	StepRelease Step = "release" // compensation: undo whatever this saga left at the MIS
	StepCancel  Step = "cancel"  // cancellation saga: cancel the booked appointment
	StepDone    Step = "done"    // nothing left to do
)

// IdempotencyKey is the key a saga sends with the MIS call of step, built by
// contracts.StepKey (the one place that knows the scheme): a repeat of the
// same step is recognised by the MIS and a different step never collides
// with it. The step names that reach the MIS must equal the
// contracts.Step* constants.
func IdempotencyKey(sagaID string, step Step) string { return contracts.StepKey(sagaID, string(step)) }
