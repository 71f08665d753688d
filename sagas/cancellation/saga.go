// Package cancellation is the cancellation saga: cancel the appointment at
// the region's MIS, then record it in the citizen's history. The MIS call
// carries the saga id and step as its idempotency key, so a repeat after a
// crash or duplicate delivery cancels nothing twice. It needs no patient
// identifiers (they are erased when a booking is confirmed): every kind
// cancels by the appointment id alone (contracts.MIS).
package cancellation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"go.opentelemetry.io/otel/metric"
)

// Config wires the saga.
type Config struct {
	Store     sagas.Store
	Directory contracts.Directory  // finds each region's MIS
	Now       func() time.Time     // nil means time.Now
	Meter     metric.MeterProvider // nil means the otel global provider
}

// Saga advances cancellation sagas; safe for concurrent use.
type Saga struct {
	cfg     Config
	metrics *sagas.Metrics
}

// New checks cfg and returns a Saga.
func New(cfg Config) (*Saga, error) {
	if cfg.Store == nil || cfg.Directory == nil {
		return nil, fmt.Errorf("cancellation: Store and Directory are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m, err := sagas.NewMetrics(cfg.Meter)
	if err != nil {
		return nil, err
	}
	return &Saga{cfg: cfg, metrics: m}, nil
}

var errMoved = errors.New("booking moved on")

// Advance cancels booking id at its MIS when it waits for that. It returns
// an error when the same command must be delivered again later.
func (s *Saga) Advance(ctx context.Context, id string) error {
	b, err := s.cfg.Store.Get(ctx, id)
	if err != nil || b.Step != sagas.StepCancel {
		return err
	}
	mis, err := s.cfg.Directory.MIS(b.Region)
	if err != nil {
		return err
	}
	_, err = mis.Cancel(ctx, b.AppointmentID, cancelKey(b))
	switch {
	case err == nil || errors.Is(err, contracts.ErrNotFound):
		return s.update(ctx, id, func(b *sagas.Booking) { b.Cancelled(s.cfg.Now()) })
	case contracts.KindOf(err).Final(): // a refusal or invalid: the clinic's last word
		return s.update(ctx, id, func(b *sagas.Booking) { b.CancelRefused(s.cfg.Now()) })
	}
	return err
}

func (s *Saga) update(ctx context.Context, id string, fn func(*sagas.Booking)) error {
	var done *sagas.Booking
	err := s.cfg.Store.Update(ctx, id, func(b *sagas.Booking) error {
		if b.Step != sagas.StepCancel {
			return errMoved
		}
		fn(b)
		done = b
		return nil
	})
	if errors.Is(err, errMoved) {
		return nil
	}
	if err == nil && done.Status == sagas.StatusCancelled {
		s.metrics.Finished(ctx, done, s.cfg.Now())
	}
	return err
}

// cancelKey is the idempotency key of this cancellation attempt. A citizen
// may ask again after the clinic refused; reusing the first key would only
// replay the refusal, so each request to cancel gets its own key.
func cancelKey(b *sagas.Booking) string {
	attempt := 0
	for _, e := range b.Timeline {
		if e.Status == sagas.StatusCancelling {
			attempt++
		}
	}
	key := sagas.IdempotencyKey(b.ID, sagas.StepCancel)
	if attempt > 1 {
		key += ":" + strconv.Itoa(attempt)
	}
	return key
}
