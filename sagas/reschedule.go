package sagas

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/fedhealth/federation/contracts"
)

// Move is a reschedule in progress: the booking keeps its slot and
// appointment until the new one is booked, then takes the new ones while
// the old appointment is cancelled; until then the old stays untouched.
type Move struct {
	// Slot is the new slot; the booking's own Slot until it is booked.
	Slot SlotSnapshot `json:"slot"`
	// ID names this reschedule among the booking's (it may be moved more
	// than once): each gets its own idempotency keys (StepKey).
	ID string `json:"id"`
	// AppointmentID is the new hold (two-step move) once the MIS made it.
	AppointmentID string `json:"appointment_id,omitempty"`
	// OldAppointmentID, OldStart and OldEnd are the appointment being
	// replaced, kept once the new one is booked and the booking shows it:
	// the old is cancelled by id and its time goes to the timeline.
	OldAppointmentID string    `json:"old_appointment_id,omitempty"`
	OldStart         time.Time `json:"old_start,omitzero"`
	OldEnd           time.Time `json:"old_end,omitzero"`
}

// StepKey is the idempotency key of step in this move: the booking's id
// and the step named with the move's id ("reschedule_hold.<move id>"), so
// a second move of one booking never replays the first's answers, and the
// key still parses to the booking (contracts.ParseStepKey).
func (m *Move) StepKey(bookingID string, step Step) string {
	return contracts.StepKey(bookingID, string(step)+"."+m.ID)
}

// RequestReschedule starts the reschedule saga: the booking, confirmed, is
// to move to slot in its own region, natively (one shift call) or in two
// steps (book the new, then cancel the old). patientSealed carries the
// identifiers the new hold needs (erased when the move ends). Anything but
// a confirmed booking is ErrConflict.
func (b *Booking) RequestReschedule(slot SlotSnapshot, native bool, patientSealed []byte, now time.Time, deadline time.Duration) error {
	if b.Status != StatusConfirmed || b.Step != StepDone {
		return fmt.Errorf("booking is %s, only a confirmed booking can be rescheduled: %w", b.Status, contracts.ErrConflict)
	}
	b.Move = &Move{Slot: slot, ID: uuid.NewString()}
	b.Saga, b.Step, b.PatientSealed = contracts.SagaReschedule, StepRescheduleHold, patientSealed
	if native {
		b.Step = StepRescheduleShift
	}
	b.Deadline, b.Reason, b.ReasonCode = now.Add(deadline), "", ""
	b.setStatus(now, StatusRescheduling, "", DetailRescheduleRequested)
	b.command()
	return nil
}

// RescheduleHeld records the new slot's hold; the saga books it next.
func (b *Booking) RescheduleHeld(a contracts.Appointment, now time.Time) {
	b.Move.AppointmentID, b.Step = a.ID, StepRescheduleBook
	b.record(now, StatusRescheduling, DetailRescheduleHeld)
}

// RescheduleBooked records that the MIS booked the new slot: the booking
// shows the new time and appointment now, and the saga cancels the old one.
func (b *Booking) RescheduleBooked(a contracts.Appointment, now time.Time) {
	m := b.Move
	m.OldAppointmentID, m.OldStart, m.OldEnd = b.AppointmentID, b.Slot.Start, b.Slot.End
	b.Slot, b.AppointmentID, b.Step = m.Slot, a.ID, StepRescheduleCancel
	b.record(now, StatusRescheduling, DetailRescheduleBooked)
}

// Rescheduled ends the move: the old appointment is cancelled (or, natively,
// moved), the booking stands confirmed at the new time, and the timeline
// entry keeps the old one. The patient's identifiers are erased.
func (b *Booking) Rescheduled(a contracts.Appointment, now time.Time) {
	m := b.Move
	if b.Step == StepRescheduleShift { // one call moved the appointment itself
		m.OldStart, m.OldEnd = b.Slot.Start, b.Slot.End
		b.Slot = m.Slot
		if a.ID != "" {
			b.AppointmentID = a.ID
		}
	}
	b.Step, b.PatientSealed, b.Move = StepDone, nil, nil
	b.Status, b.Reason, b.ReasonCode = StatusConfirmed, "", ""
	code, _ := CodeOf(DetailRescheduled)
	b.recordEntry(TimelineEntry{At: now, Status: StatusConfirmed, Detail: DetailRescheduled, Code: code,
		PrevStart: m.OldStart, PrevEnd: m.OldEnd})
	b.event(now)
}

// RescheduleFailed records that the new slot could not be booked (reason,
// one of the citizen's reasons): the old appointment is untouched. With
// release set, the saga first releases the new hold the MIS may keep; the
// booking stays rescheduling until RescheduleReleased.
func (b *Booking) RescheduleFailed(reason string, release bool, now time.Time) {
	b.Reason = reason
	b.ReasonCode, _ = CodeOf(reason)
	if release {
		b.Step = StepRescheduleRelease
		b.record(now, StatusRescheduling, reason)
		b.command()
		return
	}
	b.RescheduleReleased(now)
}

// RescheduleReleased ends a failed move: nothing of the new slot is left
// at the MIS and the booking stands confirmed at its old time, with the
// reason the move failed.
func (b *Booking) RescheduleReleased(now time.Time) {
	b.Step, b.PatientSealed, b.Move = StepDone, nil, nil
	b.setStatus(now, StatusConfirmed, b.Reason, DetailRescheduleNotDone)
}

// Rescheduling reports whether a reschedule saga still runs on b.
func (b *Booking) Rescheduling() bool { return b.Status == StatusRescheduling && b.Move != nil }

// RescheduleInTwoSteps turns a native move that has not begun into a
// two-step one (the region no longer moves appointments natively).
func (b *Booking) RescheduleInTwoSteps(now time.Time) {
	b.Step, b.UpdatedAt = StepRescheduleHold, now
	b.command()
}
