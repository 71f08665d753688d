package reschedule

import (
	"context"
	"errors"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// holdRequest is the new slot's Hold request, the same for every step:
// the MIS finds the hold again by it (contracts.MIS, "Finding an
// appointment again").
func (s *Saga) holdRequest(b *sagas.Booking) (contracts.HoldRequest, error) {
	patient, err := sagas.OpenPatient(s.cfg.Sealer, b.ID, b.PatientSealed)
	return contracts.HoldRequest{SlotID: b.Move.Slot.MISSlotID, Patient: patient,
		IdempotencyKey: b.Move.StepKey(b.ID, sagas.StepRescheduleHold)}, err
}

// hold reserves the new slot and goes straight on to book it, as the
// booking saga does. A refusal ends the move: nothing was held, the old
// appointment is untouched.
func (s *Saga) hold(ctx context.Context, mis contracts.MIS, b *sagas.Booking) (*sagas.Booking, error) {
	req, err := s.holdRequest(b)
	if err != nil {
		return s.update(ctx, b, func(b *sagas.Booking) { b.RescheduleFailed(sagas.ReasonMISRejected, false, s.cfg.Now()) })
	}
	appt, err := mis.Hold(ctx, req)
	if errors.Is(err, contracts.ErrOutcomeUnknown) {
		if found, ferr := mis.FindHold(ctx, req); ferr == nil && found.ID != "" {
			appt, err = found, nil // made, only the answer lost
		}
	}
	if final(err) {
		return s.update(ctx, b, func(b *sagas.Booking) { b.RescheduleFailed(sagas.ReasonFor(err), false, s.cfg.Now()) })
	}
	if err != nil {
		return nil, err
	}
	heldAt := s.cfg.Now()
	return s.bookHold(ctx, mis, b, req, appt, func(b *sagas.Booking) { b.RescheduleHeld(appt, heldAt) })
}

// bookHold books the new hold. held records the hold when it is not saved
// yet (b stands on the hold step). A refusal fails the move and releases
// the hold; trouble reaching the MIS saves the hold and leaves the command
// to be delivered again; success shows the new time and goes on to cancel
// the old appointment.
func (s *Saga) bookHold(ctx context.Context, mis contracts.MIS, b *sagas.Booking, req contracts.HoldRequest, hold contracts.Appointment, held func(*sagas.Booking)) (*sagas.Booking, error) {
	appt, err := mis.Book(ctx, contracts.BookRequest{AppointmentID: hold.ID, Hold: req,
		IdempotencyKey: b.Move.StepKey(b.ID, sagas.StepRescheduleBook)})
	if errors.Is(err, contracts.ErrOutcomeUnknown) {
		if read, rerr := mis.FindHold(ctx, req); rerr == nil && read.ID == hold.ID && read.Status == contracts.AppointmentBooked {
			appt, err = read, nil
		}
	}
	switch {
	case final(err):
		return s.update(ctx, b, func(b *sagas.Booking) {
			held(b)
			b.RescheduleFailed(sagas.ReasonFor(err), true, s.cfg.Now())
		})
	case err != nil:
		if b.Step == sagas.StepRescheduleHold {
			_, _ = s.update(ctx, b, held) // best effort: the hold is found by its key anyway
		}
		return nil, err
	}
	if appt.ID == "" {
		appt.ID = hold.ID
	}
	saved, err := s.update(ctx, b, func(b *sagas.Booking) {
		held(b)
		b.RescheduleBooked(appt, s.cfg.Now())
	})
	if errors.Is(err, errMoved) {
		s.releaseLate(ctx, mis, b, appt.ID)
	}
	return saved, err
}

// releaseLate cancels a new appointment the MIS booked for a move that
// ended meanwhile (another delivery saw its deadline pass and released),
// unless the booking now shows that very appointment.
func (s *Saga) releaseLate(ctx context.Context, mis contracts.MIS, b *sagas.Booking, appointmentID string) {
	now, err := s.cfg.Store.State(ctx, b.ID)
	if err != nil || now.AppointmentID == appointmentID || (now.Rescheduling() && now.Move.ID == b.Move.ID) {
		return // this move goes on, or shows it
	}
	ctx = contracts.WithCallClass(ctx, contracts.CallCompensation)
	if _, err := mis.Cancel(ctx, appointmentID, b.Move.StepKey(b.ID, sagas.StepRescheduleRelease)); err != nil && !errors.Is(err, contracts.ErrNotFound) {
		s.cfg.Logger.Error("reschedule: a late new appointment could not be released; reconciliation will report it",
			"booking_id", b.ID, "appointment_id", appointmentID, "error", err)
	}
}

// release is the compensation of a failed move's hold: it cancels the new
// hold, found by id or, when its answer never arrived, by its request.
// The old appointment is never touched here.
func (s *Saga) release(ctx context.Context, mis contracts.MIS, b *sagas.Booking) (*sagas.Booking, error) {
	id := b.Move.AppointmentID
	if id == "" {
		req, _ := s.holdRequest(b)
		a, err := mis.FindHold(ctx, req)
		if errors.Is(err, contracts.ErrNotFound) {
			return s.update(ctx, b, func(b *sagas.Booking) { b.RescheduleReleased(s.cfg.Now()) })
		}
		if err != nil {
			return nil, err
		}
		id = a.ID
	}
	_, err := mis.Cancel(ctx, id, b.Move.StepKey(b.ID, sagas.StepRescheduleRelease))
	if err != nil && !errors.Is(err, contracts.ErrNotFound) && !errors.Is(err, contracts.ErrHoldExpired) {
		return nil, err // it may still stand: the command comes back
	}
	return s.update(ctx, b, func(b *sagas.Booking) { b.RescheduleReleased(s.cfg.Now()) })
}

// cancelOld cancels the appointment the new one replaces. Every answer
// but success (or "no such appointment") leaves the step to be repeated:
// a refusal too, since a standing old appointment would be a second one
// for the citizen; a refusal the MIS keeps giving lands in the dead-letter
// topic and the sweeper's stalled-saga nudge tries again, as for a
// booking's release.
func (s *Saga) cancelOld(ctx context.Context, mis contracts.MIS, b *sagas.Booking) (*sagas.Booking, error) {
	_, err := mis.Cancel(ctx, b.Move.OldAppointmentID, b.Move.StepKey(b.ID, sagas.StepRescheduleCancel))
	if err != nil && !errors.Is(err, contracts.ErrNotFound) {
		return nil, err
	}
	return s.update(ctx, b, func(b *sagas.Booking) { b.Rescheduled(contracts.Appointment{}, s.cfg.Now()) })
}

// shift is the native move: one call, idempotent by its key. A refusal
// leaves the appointment where it was.
func (s *Saga) shift(ctx context.Context, mis contracts.MIS, b *sagas.Booking) (*sagas.Booking, error) {
	sh, ok := contracts.ShifterOf(mis)
	if !ok { // the region's kind changed since the move began: two steps then
		return s.update(ctx, b, func(b *sagas.Booking) { b.RescheduleInTwoSteps(s.cfg.Now()) })
	}
	appt, err := sh.Shift(ctx, contracts.ShiftRequest{AppointmentID: b.AppointmentID, SlotID: b.Move.Slot.MISSlotID,
		IdempotencyKey: b.Move.StepKey(b.ID, sagas.StepRescheduleShift)})
	if final(err) {
		return s.update(ctx, b, func(b *sagas.Booking) { b.RescheduleFailed(sagas.ReasonFor(err), false, s.cfg.Now()) })
	}
	if err != nil {
		return nil, err
	}
	return s.update(ctx, b, func(b *sagas.Booking) { b.Rescheduled(appt, s.cfg.Now()) })
}
