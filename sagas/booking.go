package sagas

import (
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// SlotSnapshot is what the citizen booked, as the MIS described it when the
// booking was made; the history shows it even after the MIS forgets the slot.
type SlotSnapshot struct {
	ID               string    `json:"id"` // global id: region + ":" + MIS slot id
	MISSlotID        string    `json:"mis_slot_id"`
	Start            time.Time `json:"start"`
	End              time.Time `json:"end"`
	Specialty        string    `json:"specialty"`
	SpecialtyName    string    `json:"specialty_name"`
	PractitionerID   string    `json:"practitioner_id"`
	PractitionerName string    `json:"practitioner_name"`
	FacilityID       string    `json:"facility_id"`
	FacilityName     string    `json:"facility_name"`
	FacilityAddress  string    `json:"facility_address"`
}

// TimelineEntry is one line of a booking's history.
type TimelineEntry struct {
	At     time.Time
	Status Status
	Detail string
}

// Booking is one citizen's request and its life. It is the booking saga's
// durable state and the citizen's history entry at once. Change it only
// through its methods, inside Store.Update: each method records a timeline
// entry and queues the messages the change must emit, which the store writes
// in the same transaction.
type Booking struct {
	ID      string
	Citizen string // keyed pseudonym of the citizen, never the subject in clear
	Region  string
	Slot    SlotSnapshot
	Status  Status
	Reason  string // citizen-facing, set for rejected, failed and refused cancellations
	// Saga is the saga that drives the booking now: booking until a
	// cancellation is requested, then cancellation. It is stored, never
	// inferred from Step, so sagas added later may share step names.
	Saga          contracts.SagaKind
	Step          Step
	AppointmentID string // the MIS's id of the hold / appointment, once known
	HoldExpires   time.Time
	PatientSealed []byte // identifiers the MIS needs, sealed; erased when the saga ends
	CorrelationID string
	Deadline      time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Timeline      []TimelineEntry
	// Version is the store's optimistic-concurrency counter.
	Version int64

	savedTimeline int
	outbox        []OutboxMessage
}

// NewBooking starts a booking saga: pending, at the hold step, with a
// command to the region's topic queued.
func NewBooking(id, citizen string, slot SlotSnapshot, region string, patientSealed []byte, correlationID string, now time.Time, deadline time.Duration) *Booking {
	b := &Booking{
		ID: id, Citizen: citizen, Region: region, Slot: slot,
		Status: StatusPending, Saga: contracts.SagaBooking, Step: StepHold, PatientSealed: patientSealed,
		CorrelationID: correlationID, Deadline: now.Add(deadline), CreatedAt: now,
	}
	b.setStatus(now, StatusPending, "", "Request received; sending it to the clinic.")
	b.command()
	return b
}

// Held records that the MIS holds the slot for this booking.
func (b *Booking) Held(a contracts.Appointment, now time.Time) {
	b.AppointmentID, b.HoldExpires, b.Step = a.ID, a.HoldExpires, StepBook
	b.record(now, StatusPending, "The clinic is holding the slot; confirming the booking.")
}

// Confirm records that the MIS booked the appointment. The saga is over, so
// the patient's identifiers are erased.
func (b *Booking) Confirm(a contracts.Appointment, now time.Time) {
	b.AppointmentID, b.Step, b.PatientSealed = a.ID, StepDone, nil
	b.setStatus(now, StatusConfirmed, "", "Confirmed by the clinic.")
}

// Reject ends the booking with the clinic's refusal. With release set, the
// saga goes on to undo whatever it left at the MIS.
func (b *Booking) Reject(reason string, release bool, now time.Time) {
	b.endWith(now, StatusRejected, reason, release)
}

// Fail ends the booking as failed (deadline passed, MIS unusable). The saga
// goes on to release anything the MIS did for it, late or not.
func (b *Booking) Fail(reason string, now time.Time) { b.endWith(now, StatusFailed, reason, true) }

func (b *Booking) endWith(now time.Time, s Status, reason string, release bool) {
	b.Step = StepDone
	if release {
		b.Step = StepRelease
		b.command()
	}
	b.PatientSealed = nil
	b.setStatus(now, s, reason, reason)
}

// Abandon ends a pending booking at an operator's request (a saga stuck
// behind a problem nobody can fix in time). Like a deadline failure, the
// release step then undoes whatever the MIS did. Only pending bookings can
// be abandoned: ErrConflict otherwise.
func (b *Booking) Abandon(now time.Time) error {
	if b.Status != StatusPending {
		return fmt.Errorf("booking is %s, only a pending booking can be abandoned: %w", b.Status, contracts.ErrConflict)
	}
	b.Fail(ReasonAbandoned, now)
	return nil
}

// ReleaseLate reopens the compensation of an ended booking for which the
// MIS turned out to hold appointmentID after all.
func (b *Booking) ReleaseLate(appointmentID string, now time.Time) {
	b.AppointmentID, b.Step = appointmentID, StepRelease
	b.record(now, b.Status, "The clinic answered late; releasing what it kept for this booking.")
	b.command()
}

// Nudge sends the saga a new command without changing the booking: for a
// saga whose command was lost or dead-lettered (the sweeper's stalled
// compensations and cancellations, an operator's "saga retry"). It touches
// UpdatedAt, so the sweeper nudges the same booking at most once per stall
// period.
func (b *Booking) Nudge(now time.Time) {
	b.UpdatedAt = now
	b.command()
}

// Released records that compensation finished: nothing of this saga is left
// at the MIS.
func (b *Booking) Released(detail string, now time.Time) {
	b.Step = StepDone
	b.record(now, b.Status, detail)
}

// RequestCancel starts the cancellation saga. Only a confirmed booking can
// be cancelled; anything else is ErrConflict.
func (b *Booking) RequestCancel(now time.Time) error {
	if b.Status != StatusConfirmed {
		return fmt.Errorf("booking is %s, only a confirmed booking can be cancelled: %w", b.Status, contracts.ErrConflict)
	}
	b.Saga, b.Step = contracts.SagaCancellation, StepCancel
	b.setStatus(now, StatusCancelling, "", "Cancellation requested; informing the clinic.")
	b.command()
	return nil
}

// Cancelled records that the MIS cancelled the appointment.
func (b *Booking) Cancelled(now time.Time) {
	b.Step = StepDone
	b.setStatus(now, StatusCancelled, "", "Cancelled at the clinic.")
}

// CancelRefused records that the MIS refused to cancel: the booking stands.
func (b *Booking) CancelRefused(now time.Time) {
	b.Step = StepDone
	b.setStatus(now, StatusConfirmed, ReasonCancelRefused, ReasonCancelRefused)
}

func (b *Booking) setStatus(now time.Time, s Status, reason, detail string) {
	b.Status, b.Reason = s, reason
	b.record(now, s, detail)
	b.event(now)
}

func (b *Booking) record(now time.Time, s Status, detail string) {
	b.UpdatedAt = now
	b.Timeline = append(b.Timeline, TimelineEntry{At: now, Status: s, Detail: detail})
}
