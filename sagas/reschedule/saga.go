// Package reschedule is the reschedule saga: move a confirmed booking to
// another slot of its region without ever leaving the citizen with no
// appointment or with two. Where the region's MIS moves an appointment
// natively (contracts.Shifter, jsonrpc's shiftAppointment) it is one call;
// elsewhere the saga holds and books the new slot first and cancels the
// old appointment only after. If the new slot cannot be booked, the old
// appointment is untouched (the new hold, if any, is released) and the
// booking says why; once the new is booked, the cancel of the old is
// retried until it succeeds (redelivery, then the sweeper's nudge of
// stalled sagas), since an old appointment left standing would be a
// second one.
//
// Every MIS call carries the booking id and the step, named with the
// move's id (sagas.Move.StepKey), as its idempotency key: a step repeated
// after a crash, a duplicate message or a timeout changes nothing more.
package reschedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// Config wires the saga.
type Config struct {
	Store     sagas.Store
	Directory contracts.Directory // finds each region's MIS
	Sealer    sagas.Sealer        // opens the patient the new hold needs
	Now       func() time.Time    // nil means time.Now
	Logger    *slog.Logger        // nil discards
}

// Saga advances reschedule sagas. It is safe for concurrent use; two
// Advance calls on one booking are safe too (the store serialises their
// writes, and each write checks the booking still stands on its step).
type Saga struct{ cfg Config }

// New checks cfg and returns a Saga.
func New(cfg Config) (*Saga, error) {
	if cfg.Store == nil || cfg.Directory == nil || cfg.Sealer == nil {
		return nil, fmt.Errorf("reschedule: Store, Directory and Sealer are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Saga{cfg: cfg}, nil
}

// errMoved: the booking changed under a step (another delivery of the same
// command); the step's result is dropped and the saga re-reads its state.
var errMoved = errors.New("booking moved on")

// Advance runs booking id's reschedule as far as it can go now. It returns
// nil when the move is over or waits for nothing, and an error when the
// same command must be delivered again later.
func (s *Saga) Advance(ctx context.Context, id string) error {
	b, err := s.cfg.Store.State(ctx, id)
	for range 8 { // each pass makes one step; a move has at most four
		if err != nil {
			return err
		}
		if !b.Rescheduling() {
			return nil // over, or never was one
		}
		var mis contracts.MIS
		if mis, err = s.cfg.Directory.MIS(b.Region); err != nil {
			return err
		}
		next, stepErr := s.step(ctx, mis, b)
		switch {
		case errors.Is(stepErr, errMoved):
			b, err = s.cfg.Store.State(ctx, id)
		case stepErr != nil:
			return stepErr
		default:
			b = next
		}
	}
	return nil
}

// step makes b's next step and returns the booking as saved after it.
func (s *Saga) step(ctx context.Context, mis contracts.MIS, b *sagas.Booking) (*sagas.Booking, error) {
	overdue := s.cfg.Now().After(b.Deadline)
	switch b.Step {
	case sagas.StepRescheduleHold, sagas.StepRescheduleBook:
		if overdue {
			// Nothing more is asked for the new slot; release whatever an
			// earlier delivery may have held there.
			return s.update(ctx, b, func(b *sagas.Booking) { b.RescheduleFailed(sagas.ReasonDeadline, true, s.cfg.Now()) })
		}
		if b.Step == sagas.StepRescheduleHold {
			return s.hold(ctx, mis, b)
		}
		req, _ := s.holdRequest(b)
		return s.bookHold(ctx, mis, b, req, contracts.Appointment{ID: b.Move.AppointmentID}, func(*sagas.Booking) {})
	case sagas.StepRescheduleShift:
		// No deadline here: the MIS moves an appointment at once or not at
		// all, and only its answer tells which.
		return s.shift(ctx, mis, b)
	case sagas.StepRescheduleRelease:
		return s.release(contracts.WithCallClass(ctx, contracts.CallCompensation), mis, b)
	case sagas.StepRescheduleCancel:
		return s.cancelOld(contracts.WithCallClass(ctx, contracts.CallCompensation), mis, b)
	}
	return nil, fmt.Errorf("reschedule: booking %s stands on step %q, not one of this saga's: %w", b.ID, b.Step, contracts.ErrInvalid)
}

// update applies fn when the booking still stands on b's step of b's move,
// and returns the booking as saved.
func (s *Saga) update(ctx context.Context, b *sagas.Booking, fn func(*sagas.Booking)) (*sagas.Booking, error) {
	step, move := b.Step, b.Move.ID
	var saved *sagas.Booking
	err := s.cfg.Store.Update(ctx, b.ID, func(b *sagas.Booking) error {
		if b.Step != step || !b.Rescheduling() || b.Move.ID != move {
			return errMoved
		}
		fn(b)
		saved = b
		return nil
	})
	return saved, err
}

// final reports whether err is the MIS's final answer about this request
// (as opposed to trouble reaching it).
func final(err error) bool { return err != nil && contracts.KindOf(err).Final() }
