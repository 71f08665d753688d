package sagas

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// SagaOperator drives the bookings of feed regions: no saga command is
// ever sent for them (a feed has no MIS to call); the region's operators
// move them through the operator queue, and the sweeper ends those whose
// deadline passes. It is stored in the booking row, like the other saga
// kinds, and selects the store's arbitration of the slot: renaming it
// strands the bookings that carry it.
const SagaOperator contracts.SagaKind = "operator"

// Steps of an operator-driven booking. Stored; see Step.
const (
	// StepOperator: awaiting the operator's confirmation or decline.
	StepOperator Step = "operator"
	// StepOperatorCancel: the citizen cancelled a confirmed booking; the
	// operator acknowledges once the clinic knows.
	StepOperatorCancel Step = "operator_cancel"
)

// Timeline details of operator-driven bookings, as the citizen reads them.
const (
	DetailAwaitingClinic  = "Awaiting confirmation by the clinic."
	DetailClinicConfirmed = "Confirmed by the clinic."
	DetailCancelRequested = "Cancellation requested; the clinic is being informed."
	DetailClinicCancelled = "Cancelled at the clinic."
	DetailWithdrawn       = "Cancelled by you before the clinic confirmed it; nothing was booked."
	// DetailClinicNote introduces the note a declining operator left for
	// the citizen, in the booking's timeline (never in its events).
	DetailClinicNote = "Note from the clinic: "
)

// NewOperatorBooking starts a feed region's booking: pending, awaiting
// the region's operator, with no saga command (its deadline is the
// sweeper's only clock). The store arbitrates the slot: a second live
// booking of the same slot is refused with ErrSlotTaken.
func NewOperatorBooking(id, citizen string, slot SlotSnapshot, region string, patientSealed []byte, correlationID string, now time.Time, deadline time.Duration) *Booking {
	b := &Booking{
		ID: id, Citizen: citizen, Region: region, Slot: slot,
		Status: StatusPending, Saga: SagaOperator, Step: StepOperator, PatientSealed: patientSealed,
		CorrelationID: correlationID, Deadline: now.Add(deadline), CreatedAt: now, Source: SourcePortal,
	}
	b.setStatus(now, StatusPending, "", DetailAwaitingClinic)
	return b
}

// ViaOperator reports whether the booking is a feed region's, moved by
// operators rather than by a saga.
func (b *Booking) ViaOperator() bool { return b.Saga == SagaOperator }

// ErrDeadlinePassed refuses an operator's confirmation of a booking
// whose deadline has passed (the sweeper is about to fail it and free its
// slot): the clinic must not hold an appointment the citizen was told is
// not booked. Its kind is contracts.KindConflict.
var ErrDeadlinePassed = contracts.NewError(contracts.KindConflict, "the booking's deadline has passed: it is failing as unanswered")

// OperatorConfirm records the clinic's appointment id for a booking the
// operator confirmed. The booking is over for the broker, so the patient's
// identifiers are erased. ErrConflict unless it awaits the operator;
// ErrDeadlinePassed once its deadline is past.
func (b *Booking) OperatorConfirm(misAppointmentID string, now time.Time) error {
	if err := b.awaiting(StepOperator, "confirmed"); err != nil {
		return err
	}
	if now.After(b.Deadline) {
		return ErrDeadlinePassed
	}
	b.AppointmentID, b.Step, b.PatientSealed, b.src = misAppointmentID, StepDone, nil, SourceOperator
	b.setStatus(now, StatusConfirmed, "", DetailClinicConfirmed)
	return nil
}

// ConfirmedAs reports whether the booking is an operator booking already
// confirmed with misAppointmentID: a repeated confirmation with the same
// effect.
func (b *Booking) ConfirmedAs(misAppointmentID string) bool {
	return b.ViaOperator() && b.Status == StatusConfirmed && b.AppointmentID == misAppointmentID
}

// OperatorDecline ends the booking as rejected for code: the citizen
// reads the code's sentence (DeclineReason) and, when the operator left
// one, note, in the booking's timeline. The event carries only the code:
// analytics never sees free text. ErrConflict unless it awaits the
// operator; ErrInvalid for an unknown code.
func (b *Booking) OperatorDecline(code DeclineCode, note string, now time.Time) error {
	reason, ok := DeclineReason(code)
	if !ok {
		return fmt.Errorf("decline code %q is not one of %v: %w", code, DeclineCodes(), contracts.ErrInvalid)
	}
	if err := b.awaiting(StepOperator, "declined"); err != nil {
		return err
	}
	b.Step, b.PatientSealed, b.src = StepDone, nil, SourceOperator
	b.Status, b.Reason, b.ReasonCode = StatusRejected, reason, DeclineReasonCode(code)
	b.record(now, StatusRejected, reason)
	if note != "" {
		b.record(now, StatusRejected, DetailClinicNote+note)
	}
	b.eventWith(now, string(code))
	return nil
}

// DeclinedAs reports whether the booking is an operator booking already
// declined for code: a repeated decline with the same effect.
func (b *Booking) DeclinedAs(code DeclineCode) bool {
	reason, ok := DeclineReason(code)
	return ok && b.ViaOperator() && b.Status == StatusRejected && b.Reason == reason
}

// OperatorExpire fails a booking no operator answered before its
// deadline. Nothing is at an MIS, so no release follows.
func (b *Booking) OperatorExpire(now time.Time) {
	b.operatorEnd(now, StatusFailed, ReasonClinicNoAnswer)
}

// operatorAbandon ends a pending operator booking at a broker operator's
// request (Abandon): as an expiry, nothing is at an MIS to release.
func (b *Booking) operatorAbandon(now time.Time) error {
	if err := b.awaiting(StepOperator, "abandoned"); err != nil {
		return err
	}
	b.operatorEnd(now, StatusFailed, ReasonAbandoned)
	return nil
}

// OperatorWithdraw records the citizen's cancellation of a feed booking
// no operator has answered yet: it leaves the queue and ends at once
// (cancelled), since the clinic has not been asked to keep anything.
// ErrConflict unless it awaits the operator's confirmation.
func (b *Booking) OperatorWithdraw(now time.Time) error {
	if err := b.awaiting(StepOperator, "withdrawn"); err != nil {
		return err
	}
	b.Step, b.PatientSealed, b.CancelledBy = StepDone, nil, CancelledByCitizen
	b.setStatus(now, StatusCancelled, "", DetailWithdrawn)
	return nil
}

// operatorEnd ends an operator booking with reason: done, the patient's
// identifiers erased (no MIS will ever read them), its slot leaving the
// store's index of live feed slots.
func (b *Booking) operatorEnd(now time.Time, s Status, reason string) {
	b.Step, b.PatientSealed = StepDone, nil
	b.setStatus(now, s, reason, reason)
}

// RequestOperatorCancel records the citizen's cancellation of a confirmed
// feed booking; it waits in the operator queue until the operator
// acknowledges it (the clinic has been told). ErrConflict unless confirmed.
func (b *Booking) RequestOperatorCancel(now time.Time) error {
	if b.Status != StatusConfirmed {
		return fmt.Errorf("booking is %s, only a confirmed booking can be cancelled: %w", b.Status, contracts.ErrConflict)
	}
	b.Step = StepOperatorCancel
	b.setStatus(now, StatusCancelling, "", DetailCancelRequested)
	return nil
}

// OperatorAcknowledgeCancel records that the clinic knows of the
// citizen's cancellation. ErrConflict unless one awaits acknowledgement.
func (b *Booking) OperatorAcknowledgeCancel(now time.Time) error {
	if err := b.awaiting(StepOperatorCancel, "acknowledged"); err != nil {
		return err
	}
	b.Step, b.CancelledBy, b.src = StepDone, CancelledByCitizen, SourceOperator
	b.setStatus(now, StatusCancelled, "", DetailClinicCancelled)
	return nil
}

// awaiting reports ErrConflict unless b is an operator booking at step.
func (b *Booking) awaiting(step Step, action string) error {
	if !b.ViaOperator() || b.Step != step {
		return fmt.Errorf("booking is %s and awaits no operator: it cannot be %s: %w", b.Status, action, contracts.ErrConflict)
	}
	return nil
}

// OperatorQueue is what the store keeps of the feed regions' operator
// queues; the SQL store (store.DB) implements it and storetest checks it.
type OperatorQueue interface {
	// Queue returns up to limit bookings of region that await an operator
	// (a confirmation, or the acknowledgement of a cancellation), oldest
	// first: by the time they entered the queue, then id; after the
	// cursor (the zero cursor starts at the oldest). Timelines are not
	// loaded.
	Queue(ctx context.Context, region string, after QueueCursor, limit int) ([]*Booking, error)
	// LiveOperatorSlots returns the MIS slot ids held by region's live
	// feed bookings (pending, confirmed, or cancelling) of slots that end
	// after endingAfter (or whose end is unknown): the slots no search may
	// offer, whichever instance took them. A search offers no slot that
	// has begun, so the slots of the past are left out: the set stays a
	// region's coming bookings, not all it ever had.
	LiveOperatorSlots(ctx context.Context, region string, endingAfter time.Time) ([]string, error)
}

// QueueCursor is a position in an operator queue: the item last seen.
type QueueCursor struct {
	At time.Time // the item's UpdatedAt: when it entered the queue
	ID string
}
