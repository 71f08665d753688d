package booking

import (
	"context"
	"errors"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// hold reserves the slot and goes straight on to book it. A refusal ends
// the booking as rejected; nothing is held, so there is nothing to
// compensate. The hold is not saved before booking: repeating a hold with
// its key returns the same hold, so a crash between the two calls loses
// nothing, and a write per booking is saved.
func (s *Saga) hold(ctx context.Context, mis contracts.MIS, b *sagas.Booking) (*sagas.Booking, error) {
	req, err := s.holdRequest(b)
	if err != nil {
		return s.update(ctx, b.ID, sagas.StepHold, func(b *sagas.Booking) { b.Fail(sagas.ReasonMISRejected, s.cfg.Now()) })
	}
	appt, err := mis.Hold(ctx, req)
	if errors.Is(err, contracts.ErrOutcomeUnknown) {
		// The MIS may have made the hold and lost only its answer (some
		// commit, then fail every answer): read it back and go on from
		// what the MIS holds, rather than repeat the call until the
		// deadline and then undo what was done.
		if found, ferr := mis.FindHold(ctx, req); ferr == nil && found.ID != "" {
			appt, err = found, nil
		}
	}
	if final(err) {
		return s.update(ctx, b.ID, sagas.StepHold, func(b *sagas.Booking) {
			b.Reject(sagas.ReasonFor(err), false, s.cfg.Now())
		})
	}
	if err != nil {
		return nil, err
	}
	heldAt := s.cfg.Now()
	return s.bookHold(ctx, mis, b.ID, sagas.StepHold, req, appt, func(b *sagas.Booking) { b.Held(appt, heldAt) })
}

// holdRequest is the request of b's Hold, the same for every step: the
// MIS finds the hold again by it (contracts.MIS, "Finding an appointment
// again"), so it carries the patient while the booking keeps it sealed.
func (s *Saga) holdRequest(b *sagas.Booking) (contracts.HoldRequest, error) {
	patient, err := sagas.OpenPatient(s.cfg.Sealer, b.ID, b.PatientSealed)
	return contracts.HoldRequest{SlotID: b.Slot.MISSlotID, Patient: patient,
		IdempotencyKey: sagas.IdempotencyKey(b.ID, sagas.StepHold)}, err
}

// book confirms a hold saved earlier. Identifiers that no longer open
// leave a request without the patient: the MIS then answers from what it
// recorded (contracts.MIS).
func (s *Saga) book(ctx context.Context, mis contracts.MIS, b *sagas.Booking) (*sagas.Booking, error) {
	req, _ := s.holdRequest(b)
	return s.bookHold(ctx, mis, b.ID, sagas.StepBook, req, contracts.Appointment{ID: b.AppointmentID}, func(*sagas.Booking) {})
}

// bookHold books hold. held records the hold in the booking when it is not
// saved yet (from is StepHold). A refusal rejects the booking and releases
// the hold, in case the MIS kept it; trouble reaching the MIS saves the hold
// and leaves the command to be delivered again.
func (s *Saga) bookHold(ctx context.Context, mis contracts.MIS, id string, from sagas.Step, req contracts.HoldRequest, hold contracts.Appointment, held func(*sagas.Booking)) (*sagas.Booking, error) {
	appt, err := mis.Book(ctx, contracts.BookRequest{AppointmentID: hold.ID, Hold: req, IdempotencyKey: sagas.IdempotencyKey(id, sagas.StepBook)})
	if errors.Is(err, contracts.ErrOutcomeUnknown) {
		// As for the hold: the appointment may be booked with only the
		// answer lost. Read it back; booked is booked.
		if read, rerr := mis.FindHold(ctx, req); rerr == nil && read.ID == hold.ID && read.Status == contracts.AppointmentBooked {
			appt, err = read, nil
		}
	}
	var saved *sagas.Booking
	switch {
	case final(err):
		saved, err = s.update(ctx, id, from, func(b *sagas.Booking) {
			held(b)
			b.Reject(sagas.ReasonFor(err), true, s.cfg.Now())
		})
	case err != nil:
		if from == sagas.StepHold {
			_, _ = s.update(ctx, id, from, held) // best effort: the hold is found by its key anyway
		}
		return nil, err
	default:
		saved, err = s.update(ctx, id, from, func(b *sagas.Booking) {
			held(b)
			if s.cfg.KeepPatient != nil && s.cfg.KeepPatient(b.Region) {
				b.ConfirmKeepingPatient(appt, s.cfg.Now())
			} else {
				b.Confirm(appt, s.cfg.Now())
			}
		})
	}
	if errors.Is(err, errMoved) {
		// The booking ended while this copy of the saga was at the MIS (its
		// deadline passed, another delivery released it): the hold (and
		// booking) the MIS just made must not stay behind.
		return nil, s.releaseLate(ctx, id, hold.ID)
	}
	return saved, err
}

// releaseLate reopens the compensation of a booking that has ended when
// the MIS turns out to hold appointmentID for it after all.
func (s *Saga) releaseLate(ctx context.Context, id, appointmentID string) error {
	err := s.cfg.Store.Update(ctx, id, func(b *sagas.Booking) error {
		if b.Step != sagas.StepDone || b.Status == sagas.StatusConfirmed {
			return errMoved // still releasing, or this very appointment is the booking
		}
		b.ReleaseLate(appointmentID, s.cfg.Now())
		return nil
	})
	if err == nil || errors.Is(err, errMoved) {
		return errMoved // re-read and go on (to the release step)
	}
	return err
}

// release is the compensation of hold and book: it cancels whatever this
// saga's hold created at the MIS, found by id or, when the hold's answer
// never arrived, by the hold's request, whose patient the booking keeps
// sealed until the release has finished (a restarted broker reads back
// with it). Identifiers that no longer open leave a request without the
// patient: the MIS then answers from what it recorded.
func (s *Saga) release(ctx context.Context, mis contracts.MIS, b *sagas.Booking) (*sagas.Booking, error) {
	id := b.AppointmentID
	if id == "" {
		req, _ := s.holdRequest(b)
		a, err := mis.FindHold(ctx, req)
		if errors.Is(err, contracts.ErrNotFound) {
			return s.released(ctx, b.ID, "Nothing was left at the clinic.")
		}
		if err != nil {
			return nil, err
		}
		id = a.ID
	}
	_, err := mis.Cancel(ctx, id, sagas.IdempotencyKey(b.ID, sagas.StepRelease))
	// Gone or lapsed is released; any other answer means the appointment
	// may still stand, so the release is not recorded: the command comes
	// back, or (a permanent error) lands in the dead-letter topic.
	if err != nil && !errors.Is(err, contracts.ErrNotFound) && !errors.Is(err, contracts.ErrHoldExpired) {
		return nil, err
	}
	return s.released(ctx, b.ID, "The clinic's hold on the slot was released.")
}

func (s *Saga) released(ctx context.Context, id, detail string) (*sagas.Booking, error) {
	return s.update(ctx, id, sagas.StepRelease, func(b *sagas.Booking) { b.Released(detail, s.cfg.Now()) })
}

// failOverdue ends a booking whose deadline passed; its release step then
// undoes anything the MIS did late. It reports whether it failed the booking.
func (s *Saga) failOverdue(ctx context.Context, id string) (bool, error) {
	var failed *sagas.Booking
	err := s.cfg.Store.Update(ctx, id, func(b *sagas.Booking) error {
		if b.Status != sagas.StatusPending || !s.cfg.Now().After(b.Deadline) {
			return errMoved
		}
		if b.ViaOperator() {
			b.OperatorExpire(s.cfg.Now()) // nothing at an MIS: no release follows
		} else {
			b.Fail(sagas.ReasonDeadline, s.cfg.Now())
		}
		failed = b
		return nil
	})
	if errors.Is(err, errMoved) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.metrics.Finished(ctx, failed, s.cfg.Now())
	return true, nil
}

// FailOverdue fails every pending booking whose deadline has passed, even
// those whose command waits in Kafka behind a region that is down: the
// citizen learns the truth at the deadline, not when the region recovers.
// It returns how many it failed.
func (s *Saga) FailOverdue(ctx context.Context, limit int) (int, error) {
	ids, err := s.cfg.Store.Overdue(ctx, s.cfg.Now(), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		failed, err := s.failOverdue(ctx, id)
		if err != nil {
			return n, err
		}
		if failed {
			n++
		}
	}
	return n, nil
}

// NudgeStalled sends a new command to every booking whose release,
// cancellation or reschedule has not moved since before: its command was lost or
// dead-lettered (an MIS answer that seemed permanent). A saga with nothing
// to do ignores the command, so a nudge too many is harmless. It returns how
// many it nudged.
func (s *Saga) NudgeStalled(ctx context.Context, before time.Time, limit int) (int, error) {
	ids, err := s.cfg.Store.Stalled(ctx, before, limit)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		err := s.cfg.Store.Update(ctx, id, func(b *sagas.Booking) error {
			if b.Step != sagas.StepRelease && b.Step != sagas.StepCancel && !b.Rescheduling() {
				return errMoved
			}
			return b.Nudge(s.cfg.Now())
		})
		if err != nil && !errors.Is(err, errMoved) && !errors.Is(err, contracts.ErrConflict) {
			return i, err
		}
	}
	return len(ids), nil
}

// final reports whether err is the MIS's final answer about this request
// (as opposed to trouble reaching it).
func final(err error) bool { return err != nil && contracts.KindOf(err).Final() }
