package runner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// handle advances the saga a command on region's topic names. Its error
// decides what becomes of the command (see settle).
func (rt *Runtime) handle(region string, msg *message.Message) error {
	cmd, err := contracts.DecodeSagaCommand(msg.Payload)
	log := rt.cfg.Logger.With("region", region, "saga_id", cmd.SagaID, "kind", cmd.Kind,
		"correlation_id", msg.Metadata.Get(sagas.MetaCorrelationID))
	if err != nil {
		return rt.settle(msg.Context(), region, log, err)
	}
	saga, ok := rt.cfg.Sagas[cmd.Kind]
	if !ok {
		err = fmt.Errorf("no saga for kind %q on this instance: %w", cmd.Kind, contracts.ErrUnsupported)
		return rt.settle(msg.Context(), region, log, err)
	}
	ctx, span := rt.tracer.Start(msg.Context(), "saga."+string(cmd.Kind)+".advance",
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("region", cmd.Region), attribute.String("saga_id", cmd.SagaID)))
	defer span.End()
	ctx = contracts.WithCorrelationID(ctx, msg.Metadata.Get(sagas.MetaCorrelationID))
	err = saga.Advance(ctx, cmd.SagaID)
	if err != nil {
		span.RecordError(err)
	}
	return rt.settle(ctx, region, log, err)
}

// handleClinic applies a clinic event. Its error is settled like a saga
// command's: a running saga (unavailable) comes back after a pause, an
// invalid event is dead-lettered with the reason.
func (rt *Runtime) handleClinic(msg *message.Message) error {
	ev, _ := contracts.DecodeClinicEvent(msg.Payload) // for the log and the span; Apply judges it
	log := rt.cfg.Logger.With("region", ev.Region, "event_id", ev.EventID, "change", ev.Change,
		"correlation_id", msg.Metadata.Get(sagas.MetaCorrelationID))
	ctx, span := rt.tracer.Start(msg.Context(), "clinic.apply", trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("region", ev.Region), attribute.String("change", string(ev.Change))))
	defer span.End()
	ctx = contracts.WithCorrelationID(ctx, msg.Metadata.Get(sagas.MetaCorrelationID))
	err := rt.cfg.Clinic.Apply(ctx, msg.Payload)
	if err != nil {
		span.RecordError(err)
	}
	return rt.settle(ctx, ev.Region, log, err)
}

// settle logs what becomes of a command whose handling ended in err and
// returns err: nil acknowledges it, a Permanent error dead-letters it
// (poison queue middleware), any other sends it back to Kafka.
func (rt *Runtime) settle(ctx context.Context, region string, log *slog.Logger, err error) error {
	switch kind := contracts.KindOf(err); {
	case err == nil:
	case Permanent(err):
		log.ErrorContext(ctx, "saga command cannot be processed; dead-lettered", "err", err)
	case kind == contracts.KindUnavailable:
		// The region's breaker is open or its MIS is failing: wait before
		// the command goes back (for the breaker's next state, with
		// gates), so a dead region costs no CPU.
		log.DebugContext(ctx, "region unavailable; command will be retried", "err", err)
		if rt.cfg.Gates != nil {
			rt.deferred.Add(ctx, 1, metric.WithAttributes(attribute.String("region", region), attribute.String("reason", kind.String())))
			rt.cfg.Gates.wait(ctx, region, rt.cfg.UnavailableBackoff, rt.cfg.UnavailableWaitMax)
		} else {
			rt.pause(ctx, region, kind, rt.cfg.UnavailableBackoff)
		}
	case kind == contracts.KindUnsupported:
		// Written by a newer instance (rolling deploy): leave it for one
		// that knows it. It stays in its partition until then, also after
		// a rollback, which the deferred counter shows.
		log.WarnContext(ctx, "saga command not supported by this instance; left for a newer one", "err", err)
		rt.pause(ctx, region, kind, rt.cfg.UnsupportedBackoff)
	default:
		log.WarnContext(ctx, "saga step failed; command will be retried", "err", err)
	}
	return err
}

// pause counts a deferred command and waits d, or less if ctx ends.
func (rt *Runtime) pause(ctx context.Context, region string, reason contracts.Kind, d time.Duration) {
	rt.deferred.Add(ctx, 1, metric.WithAttributes(attribute.String("region", region), attribute.String("reason", reason.String())))
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// sweep fails overdue bookings until ctx ends.
func (rt *Runtime) sweep(ctx context.Context) {
	t := time.NewTicker(rt.cfg.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := rt.cfg.Sweeper.FailOverdue(ctx, 500)
		if err != nil && ctx.Err() == nil {
			rt.cfg.Logger.Warn("deadline sweep failed", "err", err)
		}
		if n > 0 {
			rt.cfg.Logger.Info("bookings failed at their deadline", "count", n)
		}
		n, err = rt.cfg.Sweeper.NudgeStalled(ctx, time.Now().Add(-rt.cfg.StallAfter), 100)
		if err != nil && ctx.Err() == nil {
			rt.cfg.Logger.Warn("stalled sagas not nudged", "err", err)
		}
		if n > 0 {
			rt.cfg.Logger.Warn("stalled releases or cancellations sent a new command", "count", n)
		}
		rt.retryUnmatched(ctx)
	}
}

// retryUnmatched applies the parked clinic events whose booking appeared.
func (rt *Runtime) retryUnmatched(ctx context.Context) {
	if rt.cfg.Clinic == nil {
		return
	}
	n, err := rt.cfg.Clinic.RetryUnmatched(ctx, 100)
	if err != nil && ctx.Err() == nil {
		rt.cfg.Logger.Warn("parked clinic events not applied", "err", err)
	}
	if n > 0 {
		rt.cfg.Logger.Info("parked clinic events applied", "count", n)
	}
}
