package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

func (rt *Runtime) handle(msg *message.Message) error {
	cmd, err := contracts.DecodeSagaCommand(msg.Payload)
	if err != nil {
		return err // permanent: dead letter
	}
	saga, ok := rt.cfg.Sagas[cmd.Kind]
	if !ok {
		return fmt.Errorf("no saga for kind %q: %w", cmd.Kind, contracts.ErrInvalid)
	}
	ctx, span := rt.tracer.Start(msg.Context(), "saga."+string(cmd.Kind)+".advance",
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("region", cmd.Region), attribute.String("saga_id", cmd.SagaID)))
	defer span.End()
	ctx = contracts.WithCorrelationID(ctx, msg.Metadata.Get(sagas.MetaCorrelationID))
	log := rt.cfg.Logger.With("saga_id", cmd.SagaID, "kind", cmd.Kind, "region", cmd.Region,
		"correlation_id", msg.Metadata.Get(sagas.MetaCorrelationID))
	err = saga.Advance(ctx, cmd.SagaID)
	if err != nil {
		span.RecordError(err)
	}
	switch {
	case err == nil:
		return nil
	case permanent(err):
		log.Error("saga command cannot be processed; dead-lettered", "err", err)
		return err
	case errors.Is(err, contracts.ErrRegionUnavailable):
		// The region's breaker is open or its MIS is failing: wait a little
		// before the command goes back, so a dead region costs no CPU.
		log.Debug("region unavailable; command will be retried", "err", err)
		select {
		case <-time.After(rt.cfg.UnavailableBackoff):
		case <-ctx.Done():
		}
		return err
	default:
		log.Warn("saga step failed; command will be retried", "err", err)
		return err
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
	}
}
