package sagas

import (
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// SagaClinic marks a booking made through another channel and learned
// from the clinic: no saga drives it (its step is done from the start).
// Stored in the row like the other saga kinds.
const SagaClinic contracts.SagaKind = "clinic"

// ErrSagaRunning defers a clinic change of a booking whose saga has not
// ended (pending, cancelling, or compensating): its kind is
// KindUnavailable, so the runner sends the event back after a pause, and
// it is applied once the saga's own result is recorded.
var ErrSagaRunning = contracts.NewError(contracts.KindUnavailable, "the booking's saga is still running: the clinic's change waits for it")

// ErrClinicEventApplied is what the store answers when a clinic event id
// was applied before: the change is a no-op.
var ErrClinicEventApplied = contracts.NewError(contracts.KindConflict, "the clinic event was applied before")

// ClinicOutcome is what applying a clinic event did.
type ClinicOutcome string

// Outcomes of ApplyClinic.
const (
	ClinicApplied    ClinicOutcome = "applied"
	ClinicSuperseded ClinicOutcome = "superseded" // older than the last applied change
	ClinicIgnored    ClinicOutcome = "ignored"    // the booking ended; nothing resurrects it
	ClinicKnown      ClinicOutcome = "known"      // booked_elsewhere of an appointment the history has
)

// ClinicEvent returns the id of the clinic event this change applies ("" for
// none): the store records it in the same transaction, refusing a second
// with ErrClinicEventApplied.
func (b *Booking) ClinicEvent() string { return b.clinicEvent }

// NewClinicBooking records an appointment booked for a patient through
// another channel, as the MIS reported it (change booked_elsewhere): confirmed,
// source clinic, with no citizen but the patient's keys; its timeline entry
// names the reconciliation pass when the pass imported it.
func NewClinicBooking(id string, ev contracts.ClinicEvent, now time.Time) *Booking {
	b := &Booking{
		ID: id, Region: ev.Region, Status: StatusConfirmed, Saga: SagaClinic, Step: StepDone,
		AppointmentID: ev.AppointmentID, Source: SourceClinic, Channel: ev.Channel,
		PatientKeys: ev.PatientKeys, CorrelationID: ev.CorrelationID, CreatedAt: now,
		ClinicAt: ev.At.UTC(), ClinicSeq: ev.Sequence, src: SourceClinic, clinicEvent: ev.EventID,
		Slot: SlotSnapshot{Start: ev.Start.UTC(), End: ev.End.UTC(), Specialty: ev.Specialty, SpecialtyName: ev.SpecialtyName,
			PractitionerName: ev.PractitionerName, FacilityName: ev.FacilityName},
	}
	b.src = clinicSource(ev, SourceClinic)
	b.setStatus(now, StatusConfirmed, "", Text(CodeBookedElsewhere, LangEN))
	return b
}

// ApplyClinic applies a clinic's change to the booking, by the rules of
// docs/history.md: ErrSagaRunning while a saga runs; an event older than
// the last applied one is recorded as superseded; a booking that ended
// (rejected, failed, cancelled) is never resurrected, the change recorded
// as ignored; visited and no_show only from confirmed (or each other, a
// correction) and only once the appointment has started (ErrInvalid
// before). Every outcome but an error marks the event applied.
func (b *Booking) ApplyClinic(ev contracts.ClinicEvent, now time.Time) (ClinicOutcome, error) {
	if !b.Status.Final() || b.Step != StepDone {
		return "", ErrSagaRunning
	}
	b.src, b.clinicEvent = clinicSource(ev, SourceClinic), ev.EventID
	switch {
	case ev.Change == contracts.ClinicBookedElsewhere:
		return ClinicKnown, nil
	case b.clinicOlder(ev):
		b.record(now, b.Status, Text(CodeClinicSuperseded, LangEN))
		return ClinicSuperseded, nil
	case !b.clinicMayChange(ev.Change):
		b.record(now, b.Status, Text(CodeClinicIgnored, LangEN))
		return ClinicIgnored, nil
	}
	if err := b.applyChange(ev, now); err != nil {
		b.src, b.clinicEvent = "", ""
		return "", err
	}
	b.ClinicAt, b.ClinicSeq = ev.At.UTC(), ev.Sequence
	return ClinicApplied, nil
}

// clinicSource is the timeline's source of ev: the reconciliation pass or
// a feed region's operator when either found it, else the MIS's own word
// (def).
func clinicSource(ev contracts.ClinicEvent, def Source) Source {
	switch ev.Origin {
	case contracts.ClinicOriginReconciliation:
		return SourceReconciliation
	case contracts.ClinicOriginOperator:
		return SourceOperator
	}
	return def
}

// clinicOlder reports whether ev is older than the last applied change:
// by sequence when both have one, else by the MIS's time.
func (b *Booking) clinicOlder(ev contracts.ClinicEvent) bool {
	if ev.Sequence > 0 && b.ClinicSeq > 0 {
		return ev.Sequence <= b.ClinicSeq
	}
	return ev.At.Before(b.ClinicAt)
}

// clinicMayChange: a confirmed booking takes every change; a visit and a
// no-show may correct each other; nothing else changes an ended booking.
func (b *Booking) clinicMayChange(c contracts.ClinicChange) bool {
	switch b.Status {
	case StatusConfirmed:
		return true
	case StatusVisited, StatusNoShow:
		return c == contracts.ClinicVisited || c == contracts.ClinicNoShow
	}
	return false
}

func (b *Booking) applyChange(ev contracts.ClinicEvent, now time.Time) error {
	switch ev.Change {
	case contracts.ClinicCancelled:
		code := ClinicCancelCode(ev.ReasonCode)
		b.CancelledBy = CancelledByClinic
		b.setStatus(now, StatusCancelled, Text(code, LangEN), Text(code, LangEN))
	case contracts.ClinicMoved:
		e := TimelineEntry{At: now, Status: b.Status, Code: CodeMovedByClinic, Detail: Text(CodeMovedByClinic, LangEN),
			PrevStart: b.Slot.Start, PrevEnd: b.Slot.End}
		b.Slot.Start, b.Slot.End = ev.Start.UTC(), ev.End.UTC()
		b.recordEntry(e)
		b.event(now)
	case contracts.ClinicVisited, contracts.ClinicNoShow:
		if now.Before(b.Slot.Start) {
			return fmt.Errorf("clinic event %s: %s before the appointment's start %s: %w",
				ev.EventID, ev.Change, b.Slot.Start.Format(time.RFC3339), contracts.ErrInvalid)
		}
		s, code := StatusVisited, CodeVisited
		if ev.Change == contracts.ClinicNoShow {
			s, code = StatusNoShow, CodeNoShow
		}
		b.setStatus(now, s, "", Text(code, LangEN))
	}
	if ev.Note != "" {
		b.record(now, b.Status, DetailClinicNote+ev.Note) // as a decline's note: the timeline only
	}
	return nil
}
