package clinic

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/google/uuid"
)

// Store is what the Applier needs of the store.
type Store interface {
	sagas.Store
	sagas.ClinicStore
}

// Applier applies clinic events to the history. It is safe for concurrent
// use; what an error means for the message is the runner's rule (see
// contracts.KindOf): ErrSagaRunning is KindUnavailable (redelivered after
// a pause), ErrInvalid is permanent (dead-lettered with the reason).
type Applier struct {
	store  Store
	now    func() time.Time
	logger *slog.Logger
}

// NewApplier applies events to store; now nil means time.Now, logger nil
// discards.
func NewApplier(store Store, now func() time.Time, logger *slog.Logger) *Applier {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Applier{store: store, now: now, logger: logger}
}

// Apply decodes and applies one ClinicEvent v1 payload: a repeated event id
// is a no-op; an event for an appointment no booking has is parked
// (booked_elsewhere creates the booking instead); otherwise the booking's
// ApplyClinic rules decide.
func (a *Applier) Apply(ctx context.Context, payload []byte) error {
	ev, err := contracts.DecodeClinicEvent(payload)
	if err != nil {
		return err
	}
	if seen, err := a.store.ClinicEventApplied(ctx, ev.EventID); err != nil || seen {
		return err
	}
	id, err := a.store.ByAppointment(ctx, ev.Region, ev.AppointmentID)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return a.unknown(ctx, ev, payload)
	case err != nil:
		return err
	}
	var outcome sagas.ClinicOutcome
	err = a.store.Update(ctx, id, func(b *sagas.Booking) error {
		outcome, err = b.ApplyClinic(ev, a.now())
		return err
	})
	if errors.Is(err, sagas.ErrClinicEventApplied) {
		return nil // a concurrent delivery applied it
	}
	if err == nil {
		a.logger.InfoContext(ctx, "clinic event applied", "event_id", ev.EventID, "booking_id", id,
			"change", ev.Change, "outcome", outcome)
	}
	return err
}

// unknown handles an event for an appointment the history does not have:
// booked_elsewhere becomes a booking; any other change is parked until a
// booking of the appointment appears (RetryUnmatched).
func (a *Applier) unknown(ctx context.Context, ev contracts.ClinicEvent, payload []byte) error {
	if ev.Change != contracts.ClinicBookedElsewhere {
		a.logger.WarnContext(ctx, "clinic event for an unknown appointment; parked", "event_id", ev.EventID,
			"region", ev.Region, "change", ev.Change)
		return a.store.ParkUnmatched(ctx, sagas.UnmatchedClinicEvent{EventID: ev.EventID, Region: ev.Region,
			AppointmentID: ev.AppointmentID, Payload: payload})
	}
	err := a.store.Create(ctx, sagas.NewClinicBooking(ElsewhereID(ev.Region, ev.AppointmentID), ev, a.now()))
	if errors.Is(err, contracts.ErrConflict) || errors.Is(err, sagas.ErrClinicEventApplied) {
		return nil // the same appointment, reported twice
	}
	return err
}

// elsewhereSpace names the ids of bookings made elsewhere.
var elsewhereSpace = uuid.MustParse("6f1c1c52-3c8e-4f7e-9d0e-6a3f5c2b9e10")

// ElsewhereID is the booking id of an appointment made through another
// channel: derived from region and appointment, so two reports of it (two
// event ids, two instances) create one booking.
func ElsewhereID(region, appointmentID string) string {
	return uuid.NewSHA1(elsewhereSpace, []byte(Key(region, appointmentID))).String()
}

// RetryUnmatched applies the parked events whose appointment a booking now
// has, up to limit, and removes those applied; it returns how many. An event
// that still cannot be applied (its saga is running) stays parked.
func (a *Applier) RetryUnmatched(ctx context.Context, limit int) (int, error) {
	parked, err := a.store.Unmatched(ctx, true, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, p := range parked {
		err := a.Apply(ctx, p.Payload)
		if err != nil && !contracts.KindOf(err).Permanent() {
			continue // retried on the next pass
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("clinic event %s: %w", p.EventID, err))
		}
		if err := a.store.DeleteUnmatched(ctx, p.EventID); err != nil {
			return n, err
		}
		n++
	}
	return n, errors.Join(errs...)
}
