package sagas

import "github.com/fedhealth/federation/contracts"

// Status is the citizen-visible state of a booking.
type Status string

// Booking statuses. pending → confirmed | rejected | failed;
// confirmed → cancelling → cancelled (or back to confirmed if the clinic refuses);
// confirmed → rescheduling → confirmed (at the new time, or the old one);
// and, by the clinic (docs/history.md): confirmed → cancelled | visited |
// no_show, visited ↔ no_show (a correction); a move keeps confirmed.
const (
	StatusPending    Status = "pending"
	StatusConfirmed  Status = "confirmed"
	StatusRejected   Status = "rejected"
	StatusFailed     Status = "failed"
	StatusCancelling Status = "cancelling"
	StatusCancelled  Status = "cancelled"
	StatusVisited    Status = "visited"
	StatusNoShow     Status = "no_show"
	// StatusRescheduling: a confirmed booking being moved to another slot
	// (the reschedule saga); it ends confirmed, at the new time or, when
	// the move fails, at the old one.
	StatusRescheduling Status = "rescheduling"
)

// Final reports whether no saga will change s by itself any more.
func (s Status) Final() bool {
	switch s {
	case StatusConfirmed, StatusRejected, StatusFailed, StatusCancelled, StatusVisited, StatusNoShow:
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

	// The reschedule saga's steps (contracts.StepReschedule*).
	StepRescheduleHold    Step = "reschedule_hold"    // hold the new slot
	StepRescheduleBook    Step = "reschedule_book"    // book the new hold
	StepRescheduleRelease Step = "reschedule_release" // the move failed: release the new hold
	StepRescheduleCancel  Step = "reschedule_cancel"  // the new is booked: cancel the old appointment
	StepRescheduleShift   Step = "reschedule_shift"   // the native move, one call
)

// IdempotencyKey is the key a saga sends with the MIS call of step, built by
// contracts.StepKey (the one place that knows the scheme): a repeat of the
// same step is recognised by the MIS and a different step never collides
// with it. The step names that reach the MIS must equal the
// contracts.Step* constants.
func IdempotencyKey(sagaID string, step Step) string { return contracts.StepKey(sagaID, string(step)) }
