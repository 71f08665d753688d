package breaker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/fedhealth/federation/contracts"
)

// run passes one call through the concurrency limit and the breaker.
func run[T any](m *MIS, ctx context.Context, op string, call func(context.Context) (T, error)) (T, error) {
	var zero T
	// Fail fast while open, before queueing for a place behind calls that
	// are themselves about to fail.
	if m.cb.State() == gobreaker.StateOpen {
		return zero, m.rejected(ctx, op, gobreaker.ErrOpenState)
	}
	b := m.budgetFor(ctx)
	if err := b.acquire(ctx, op, m.cfg.Region); err != nil {
		if errors.Is(err, contracts.ErrRegionBusy) {
			m.tel.shedCall(ctx, op)
		}
		return zero, err
	}
	defer b.release()
	done, err := m.cb.Allow()
	if err != nil {
		return zero, m.rejected(ctx, op, err)
	}
	start := time.Now()
	v, err := finish(ctx, done, call)
	if err == nil || contracts.KindOf(err).Answered() {
		m.latency.observe(time.Since(start))
	}
	return v, err
}

// budgetFor picks the budget of the call's class.
func (m *MIS) budgetFor(ctx context.Context) *budget {
	if contracts.CallClassOf(ctx) == contracts.CallCompensation {
		return m.compensation
	}
	return m.newWork
}

// finish runs the call and reports its verdict, also when it panics.
func finish[T any](ctx context.Context, done func(error), call func(context.Context) (T, error)) (v T, err error) {
	reported := false
	defer func() {
		if !reported {
			done(errors.New("panic in MIS call"))
		}
	}()
	v, err = call(ctx)
	reported = true
	done(verdict(ctx, err))
	return v, err
}

// errNotTheRegion is the verdict on a call that ended for reasons of ours,
// not the region's: the breaker excludes it (gobreaker's IsExcluded), so it
// counts neither as a failure nor as a success, and a half-open probe
// ended this way frees its place for the next probe.
var errNotTheRegion = errors.New("ended by the caller, not the region")

// verdict is what the breaker learns from a call that returned err: the
// caller walking away or a search running past SearchTimeout says nothing
// about the region.
func verdict(ctx context.Context, err error) error {
	if err != nil && (callerCanceled(ctx, err) || searchTimedOut(ctx)) {
		return errNotTheRegion
	}
	return err
}

func callerCanceled(ctx context.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled)
}

func (m *MIS) rejected(ctx context.Context, op string, cause error) error {
	m.tel.reject(ctx, op)
	return fmt.Errorf("%s in region %s: %w: %w", op, m.cfg.Region, contracts.ErrRegionUnavailable, cause)
}

// ReadSlot passes the read through the breaker.
func (m *MIS) ReadSlot(ctx context.Context, slotID string) (contracts.Slot, error) {
	return run(m, ctx, "read_slot", func(ctx context.Context) (contracts.Slot, error) { return m.next.ReadSlot(ctx, slotID) })
}

// Hold passes the hold through the breaker.
func (m *MIS) Hold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	return run(m, ctx, "hold", func(ctx context.Context) (contracts.Appointment, error) { return m.next.Hold(ctx, req) })
}

// Book passes the booking through the breaker.
func (m *MIS) Book(ctx context.Context, appointmentID, idempotencyKey string) (contracts.Appointment, error) {
	return run(m, ctx, "book", func(ctx context.Context) (contracts.Appointment, error) {
		return m.next.Book(ctx, appointmentID, idempotencyKey)
	})
}

// Cancel passes the cancellation through the breaker.
func (m *MIS) Cancel(ctx context.Context, appointmentID, idempotencyKey string) (contracts.Appointment, error) {
	return run(m, ctx, "cancel", func(ctx context.Context) (contracts.Appointment, error) {
		return m.next.Cancel(ctx, appointmentID, idempotencyKey)
	})
}

// ReadAppointment passes the read through the breaker.
func (m *MIS) ReadAppointment(ctx context.Context, appointmentID string) (contracts.Appointment, error) {
	return run(m, ctx, "read_appointment", func(ctx context.Context) (contracts.Appointment, error) {
		return m.next.ReadAppointment(ctx, appointmentID)
	})
}

// FindByHoldKey passes the lookup through the breaker.
func (m *MIS) FindByHoldKey(ctx context.Context, holdKey string) (contracts.Appointment, error) {
	return run(m, ctx, "find_by_hold_key", func(ctx context.Context) (contracts.Appointment, error) {
		return m.next.FindByHoldKey(ctx, holdKey)
	})
}
