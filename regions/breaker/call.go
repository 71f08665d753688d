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
			m.observe(op, 0, OutcomeShed)
		}
		return zero, err // else the caller walked away before a call: nothing to observe
	}
	defer b.release()
	done, err := m.cb.Allow()
	if err != nil {
		return zero, m.rejected(ctx, op, err)
	}
	start := time.Now()
	v, err := finish(ctx, done, call)
	took := time.Since(start)
	if err == nil || contracts.KindOf(err).Answered() {
		m.latency.observe(took)
	}
	m.observe(op, took, outcomeOf(ctx, err))
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
	m.observe(op, 0, OutcomeOpen)
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
func (m *MIS) Book(ctx context.Context, req contracts.BookRequest) (contracts.Appointment, error) {
	return run(m, ctx, "book", func(ctx context.Context) (contracts.Appointment, error) { return m.next.Book(ctx, req) })
}

// Cancel passes the cancellation through the breaker.
func (m *MIS) Cancel(ctx context.Context, appointmentID, idempotencyKey string) (contracts.Appointment, error) {
	return run(m, ctx, "cancel", func(ctx context.Context) (contracts.Appointment, error) {
		return m.next.Cancel(ctx, appointmentID, idempotencyKey)
	})
}

// FindHold passes the read-back through the breaker.
func (m *MIS) FindHold(ctx context.Context, req contracts.HoldRequest) (contracts.Appointment, error) {
	return run(m, ctx, "find_hold", func(ctx context.Context) (contracts.Appointment, error) { return m.next.FindHold(ctx, req) })
}

// ReadAppointment passes the read through the breaker when the MIS behind
// it can read appointments by id (contracts.AppointmentReader), and answers
// ErrUnsupported when it cannot, so a caller learns the kind's limit
// without a call to the region.
func (m *MIS) ReadAppointment(ctx context.Context, appointmentID string) (contracts.Appointment, error) {
	r, ok := m.next.(contracts.AppointmentReader)
	if !ok {
		return contracts.Appointment{}, fmt.Errorf("read_appointment in region %s: the MIS cannot read appointments by id: %w", m.cfg.Region, contracts.ErrUnsupported)
	}
	return run(m, ctx, "read_appointment", func(ctx context.Context) (contracts.Appointment, error) {
		return r.ReadAppointment(ctx, appointmentID)
	})
}

// PatientAppointments passes the read by patient through the breaker when
// the MIS behind it reads that way (contracts.PatientAppointmentReader),
// and answers ErrUnsupported when it cannot.
func (m *MIS) PatientAppointments(ctx context.Context, p contracts.Patient) ([]contracts.PeriodAppointment, error) {
	r, ok := m.next.(contracts.PatientAppointmentReader)
	if !ok {
		return nil, fmt.Errorf("patient_appointments in region %s: the MIS cannot read appointments by patient: %w", m.cfg.Region, contracts.ErrUnsupported)
	}
	return run(m, ctx, "patient_appointments", func(ctx context.Context) ([]contracts.PeriodAppointment, error) {
		return r.PatientAppointments(ctx, p)
	})
}

// PeriodAppointments passes the read by period through the breaker when the
// MIS behind it lists appointments that way
// (contracts.PeriodAppointmentReader), and answers ErrUnsupported when it
// cannot.
func (m *MIS) PeriodAppointments(ctx context.Context, from, to time.Time) ([]contracts.PeriodAppointment, error) {
	r, ok := m.next.(contracts.PeriodAppointmentReader)
	if !ok {
		return nil, fmt.Errorf("period_appointments in region %s: the MIS cannot list appointments by period: %w", m.cfg.Region, contracts.ErrUnsupported)
	}
	return run(m, ctx, "period_appointments", func(ctx context.Context) ([]contracts.PeriodAppointment, error) {
		return r.PeriodAppointments(ctx, from, to)
	})
}
