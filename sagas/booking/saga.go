// Package booking is the booking saga: hold the slot at the region's MIS,
// then book the hold; when booking fails or the citizen's deadline passes,
// release whatever the MIS did for this saga (compensation).
//
// Every MIS call carries the saga id and step as its idempotency key, so a
// step repeated after a crash, a duplicate message or a timeout changes
// nothing more at the MIS. An unknown outcome (ErrOutcomeUnknown) is never
// guessed: Advance returns the error, the message is redelivered, and the
// same call is repeated with the same key.
package booking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"go.opentelemetry.io/otel/metric"
)

// Config wires the saga.
type Config struct {
	Store     sagas.Store
	Directory contracts.Directory // finds each region's MIS
	Sealer    sagas.Sealer
	Now       func() time.Time     // nil means time.Now
	Meter     metric.MeterProvider // nil means the otel global provider
	Logger    *slog.Logger         // nil discards
	// KeepPatient names the regions whose MIS reads appointments only by
	// patient: their bookings keep the sealed identifiers once confirmed,
	// for reconciliation (sagas.Booking.ConfirmKeepingPatient). nil: none.
	KeepPatient func(region string) bool
}

// Saga advances booking sagas. It is safe for concurrent use; two Advance
// calls on one booking are safe too (the store serialises their writes).
type Saga struct {
	cfg     Config
	metrics *sagas.Metrics
}

// New checks cfg and returns a Saga.
func New(cfg Config) (*Saga, error) {
	if cfg.Store == nil || cfg.Directory == nil || cfg.Sealer == nil {
		return nil, fmt.Errorf("booking: Store, Directory and Sealer are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := sagas.NewMetrics(cfg.Meter)
	if err != nil {
		return nil, err
	}
	return &Saga{cfg: cfg, metrics: m}, nil
}

// errMoved: the booking changed under a step (deadline sweeper, duplicate
// delivery); the step's result is dropped and the saga re-reads its state.
var errMoved = errors.New("booking moved on")

// Advance runs booking id's saga as far as it can go now. It returns nil
// when the saga is finished or waits for nothing, and an error (wrapping
// ErrRegionUnavailable or ErrOutcomeUnknown for the MIS's troubles) when the
// same command must be delivered again later.
func (s *Saga) Advance(ctx context.Context, id string) error {
	b, err := s.cfg.Store.State(ctx, id)
	for range 8 { // each pass makes one step; a booking has at most four
		if err != nil {
			return err
		}
		if b.Step != sagas.StepHold && b.Step != sagas.StepBook && b.Step != sagas.StepRelease {
			return nil // done, or the cancellation saga's
		}
		var mis contracts.MIS
		if mis, err = s.cfg.Directory.MIS(b.Region); err != nil {
			return err
		}
		next, stepErr := s.step(ctx, mis, b)
		switch {
		case errors.Is(stepErr, errMoved):
			b, err = s.cfg.Store.State(ctx, id) // checked at the top of the loop
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
	if b.Step != sagas.StepRelease && s.cfg.Now().After(b.Deadline) {
		if _, err := s.failOverdue(ctx, b.ID); err != nil {
			return nil, err
		}
		return nil, errMoved // re-read, then on to the release step
	}
	switch b.Step {
	case sagas.StepHold, sagas.StepBook:
		// New work's MIS calls run against the booking's deadline: the
		// region's budget refuses a call that cannot finish before it
		// (contracts.ErrRegionBusy) instead of letting it queue.
		mis := untilDeadline{MIS: mis, deadline: time.Now().Add(b.Deadline.Sub(s.cfg.Now()))}
		var next *sagas.Booking
		var err error
		if b.Step == sagas.StepHold {
			next, err = s.hold(ctx, mis, b)
		} else {
			next, err = s.book(ctx, mis, b)
		}
		if errors.Is(err, contracts.ErrRegionBusy) {
			return s.shed(ctx, b)
		}
		return next, err
	default:
		return s.release(contracts.WithCallClass(ctx, contracts.CallCompensation), mis, b)
	}
}

// untilDeadline gives each MIS call of new work the time its booking has
// left (the saga's clock, which tests set, decides how much that is); store
// writes keep the caller's context, so a result that arrives in time is
// never lost to the deadline.
type untilDeadline struct {
	contracts.MIS
	deadline time.Time // on the wall clock: every call of the step shares it
}

func (u untilDeadline) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithDeadline(ctx, u.deadline)
}

func (u untilDeadline) Hold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	ctx, cancel := u.ctx(ctx)
	defer cancel()
	return u.MIS.Hold(ctx, req)
}

func (u untilDeadline) Book(ctx context.Context, req contracts.BookRequest) (contracts.Appointment, error) {
	ctx, cancel := u.ctx(ctx)
	defer cancel()
	return u.MIS.Book(ctx, req)
}

func (u untilDeadline) FindHold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	ctx, cancel := u.ctx(ctx)
	defer cancel()
	return u.MIS.FindHold(ctx, req)
}

// shed ends a booking that cannot finish before its deadline because the
// region is busy, at once rather than at the deadline: it takes no more of
// the region's places, and its citizen learns the truth sooner. Its release
// step then undoes whatever an earlier delivery may have done.
func (s *Saga) shed(ctx context.Context, b *sagas.Booking) (*sagas.Booking, error) {
	if _, err := s.update(ctx, b.ID, b.Step, func(b *sagas.Booking) { b.Fail(sagas.ReasonRegionBusy, s.cfg.Now()) }); err != nil && !errors.Is(err, errMoved) {
		return nil, err
	}
	return nil, errMoved // re-read, then on to the release step
}

// update applies fn when the booking still stands on step, and returns the
// booking as saved.
func (s *Saga) update(ctx context.Context, id string, step sagas.Step, fn func(*sagas.Booking)) (*sagas.Booking, error) {
	var saved *sagas.Booking
	wasFinal := false
	err := s.cfg.Store.Update(ctx, id, func(b *sagas.Booking) error {
		if b.Step != step {
			return errMoved
		}
		wasFinal = b.Status.Final()
		fn(b)
		saved = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !wasFinal && saved.Status.Final() {
		s.metrics.Finished(ctx, saved, s.cfg.Now())
	}
	return saved, nil
}
