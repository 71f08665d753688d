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
	// Detail is the English sentence (rows keep it for readers of the
	// column); Code selects the sentence in the reader's language (Text).
	Detail string
	Code   string
	// Note is free text that follows the code's sentence (a clinic's note).
	Note string
	// Source is who made the change: portal, clinic, operator or
	// reconciliation; rows written before sources were stored read as portal.
	Source Source
	// PrevStart and PrevEnd are the appointment's time before a clinic
	// moved it (CodeMovedByClinic); zero otherwise.
	PrevStart, PrevEnd time.Time
}

// Source is where a change of a booking came from.
type Source string

// Sources. Stored: add, never rename.
const (
	SourcePortal         Source = "portal"
	SourceClinic         Source = "clinic"
	SourceOperator       Source = "operator"
	SourceReconciliation Source = "reconciliation"
)

// CancelledBy is who cancelled a cancelled booking.
type CancelledBy string

// Who cancels. Stored: add, never rename.
const (
	CancelledByCitizen  CancelledBy = "citizen"
	CancelledByClinic   CancelledBy = "clinic"
	CancelledByOperator CancelledBy = "operator"
)

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
	// ReasonCode is Reason's stable code (see Text): what the API shows
	// in the reader's language.
	ReasonCode  string
	CancelledBy CancelledBy // set once cancelled
	// Source is where the booking was made: portal, or clinic for an
	// appointment booked through another Channel (one of
	// contracts.ClinicChannels) and reported by the MIS.
	Source  Source
	Channel string
	// PatientKeys are keyed hashes of the patient's SNILS and OMS
	// (auth.Pseudonymizer.PatientKeys): a booking made elsewhere, which has
	// no Citizen, is shown to the citizen whose token yields one of them.
	PatientKeys []string
	// ClinicAt and ClinicSeq are the MIS time and sequence of the last
	// clinic change applied: an older one never overwrites it.
	ClinicAt  time.Time
	ClinicSeq int64
	// Saga is the saga that drives the booking now: booking until a
	// cancellation is requested, then cancellation. It is stored, never
	// inferred from Step, so sagas added later may share step names.
	Saga          contracts.SagaKind
	Step          Step
	AppointmentID string // the MIS's id of the hold / appointment, once known
	HoldExpires   time.Time
	// Move is the reschedule in progress (the reschedule saga's state), nil
	// when none is.
	Move *Move
	// PatientSealed holds the identifiers the MIS needs, sealed. The MIS
	// may read a hold back only by patient, so they stay until nothing of
	// the booking saga can call it: erased when the booking is confirmed,
	// rejected with nothing to release, or released (Released). A
	// cancellation needs only the appointment id.
	PatientSealed []byte
	CorrelationID string
	Deadline      time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Timeline      []TimelineEntry
	// Version is the store's optimistic-concurrency counter.
	Version int64

	savedTimeline int
	outbox        []OutboxMessage
	// src is the source of the change being made (portal when unset).
	src Source
	// clinicEvent is the id of the clinic event this change applies; the
	// store records it in the same transaction, once.
	clinicEvent string
}

// NewBooking starts a booking saga: pending, at the hold step, with a
// command to the region's topic queued.
func NewBooking(id, citizen string, slot SlotSnapshot, region string, patientSealed []byte, correlationID string, now time.Time, deadline time.Duration) *Booking {
	b := &Booking{
		ID: id, Citizen: citizen, Region: region, Slot: slot,
		Status: StatusPending, Saga: contracts.SagaBooking, Step: StepHold, PatientSealed: patientSealed,
		CorrelationID: correlationID, Deadline: now.Add(deadline), CreatedAt: now, Source: SourcePortal,
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

// ConfirmKeepingPatient is Confirm for a region whose MIS reads
// appointments only by patient (jsonrpc): the sealed identifiers stay,
// purpose-bound to reconciliation, until the store's patient sweeper
// erases them after the appointment's end and a grace
// (docs/history.md, "Reconciliation").
func (b *Booking) ConfirmKeepingPatient(a contracts.Appointment, now time.Time) {
	sealed := b.PatientSealed
	b.Confirm(a, now)
	b.PatientSealed = sealed
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
	} else {
		b.PatientSealed = nil
	}
	b.setStatus(now, s, reason, reason)
}

// Abandon ends a pending booking at an operator's request (a saga stuck
// behind a problem nobody can fix in time). Like a deadline failure, the
// release step then undoes whatever the MIS did; a feed booking, with
// nothing at an MIS, simply ends (as on expiry). Only pending bookings can
// be abandoned: ErrConflict otherwise.
func (b *Booking) Abandon(now time.Time) error {
	if b.Status != StatusPending {
		return fmt.Errorf("booking is %s, only a pending booking can be abandoned: %w", b.Status, contracts.ErrConflict)
	}
	b.src = SourceOperator
	if b.ViaOperator() {
		return b.operatorAbandon(now)
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
// period. A feed booking has no saga to nudge (its region's operators
// move it): ErrConflict, and nothing is queued.
func (b *Booking) Nudge(now time.Time) error {
	if b.ViaOperator() {
		return fmt.Errorf("booking %s is a feed region's: no saga drives it, its region's operators answer it (abandon it instead): %w", b.ID, contracts.ErrConflict)
	}
	b.UpdatedAt = now
	b.command()
	return nil
}

// Released records that compensation finished: nothing of this saga is left
// at the MIS, so the patient's identifiers, kept for the release's
// read-back, are erased.
func (b *Booking) Released(detail string, now time.Time) {
	b.Step, b.PatientSealed = StepDone, nil
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
	b.Step, b.CancelledBy = StepDone, CancelledByCitizen
	b.setStatus(now, StatusCancelled, "", "Cancelled at the clinic.")
}

// CancelRefused records that the MIS refused to cancel: the booking stands.
func (b *Booking) CancelRefused(now time.Time) {
	b.Step = StepDone
	b.setStatus(now, StatusConfirmed, ReasonCancelRefused, ReasonCancelRefused)
}

func (b *Booking) setStatus(now time.Time, s Status, reason, detail string) {
	b.Status, b.Reason = s, reason
	b.ReasonCode, _ = CodeOf(reason)
	b.record(now, s, detail)
	b.event(now)
}

// record appends a timeline entry; its code derives from the English
// sentence, so every sentence in texts needs no second argument.
func (b *Booking) record(now time.Time, s Status, detail string) {
	code, note := CodeOf(detail)
	b.recordEntry(TimelineEntry{At: now, Status: s, Detail: detail, Code: code, Note: note})
}

func (b *Booking) recordEntry(e TimelineEntry) {
	if e.Source = b.src; e.Source == "" {
		e.Source = SourcePortal
	}
	b.UpdatedAt = e.At
	b.Timeline = append(b.Timeline, e)
}
