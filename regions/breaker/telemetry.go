package breaker

import (
	"context"
	"errors"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scope = "github.com/fedhealth/federation/regions/breaker"

// telemetry exports the breaker's state, transitions and rejections,
// labelled by region.
type telemetry struct {
	region      attribute.KeyValue
	transitions metric.Int64Counter
	rejections  metric.Int64Counter
	sheds       metric.Int64Counter
	searchShed  metric.Int64Counter
	gauge       metric.Registration
}

// stateValue is the gauge's encoding of a state: 0 closed, 1 half-open,
// 2 open (gobreaker's own numbering, fixed here so dashboards can rely on it).
func stateValue(s gobreaker.State) int64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	default:
		return 0
	}
}

func newTelemetry(cfg Config, cb *gobreaker.TwoStepCircuitBreaker[struct{}]) (*telemetry, error) {
	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(scope)
	t := &telemetry{region: attribute.String("region", cfg.Region)}
	var err1, err2, err3, err4, err5, err6 error
	t.transitions, err1 = meter.Int64Counter("region.breaker.transitions",
		metric.WithDescription("Circuit breaker state changes by region, from and to."))
	t.rejections, err2 = meter.Int64Counter("region.breaker.rejections",
		metric.WithDescription("Calls refused at once because the region's breaker was open."))
	t.sheds, err5 = meter.Int64Counter("region.calls.shed",
		metric.WithDescription("Calls refused before they were made because the region's budget stayed full for longer than their deadline allowed (the region is busy, not failing)."))
	state, err3 := meter.Int64ObservableGauge("region.breaker.state",
		metric.WithDescription("Circuit breaker state by region: 0 closed, 1 half-open, 2 open."))
	t.searchShed, err6 = meter.Int64Counter("region.search.shed",
		metric.WithDescription("Slot searches the region's search budget refused (reason busy) or cut short (reason timeout)."))
	if err := errors.Join(err1, err2, err3, err5, err6); err != nil {
		return nil, err
	}
	// State (not a cached value) so an open breaker whose timeout passed
	// reads half-open even when no call has come since.
	t.gauge, err4 = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(state, stateValue(cb.State()), metric.WithAttributes(t.region))
		return nil
	}, state)
	return t, err4
}

func (t *telemetry) transition(ctx context.Context, from, to gobreaker.State) {
	t.transitions.Add(ctx, 1, metric.WithAttributes(t.region,
		attribute.String("from", from.String()), attribute.String("to", to.String())))
}

func (t *telemetry) reject(ctx context.Context, op string) {
	t.rejections.Add(ctx, 1, metric.WithAttributes(t.region, attribute.String("operation", op)))
}

func (t *telemetry) shedCall(ctx context.Context, op string) {
	t.sheds.Add(ctx, 1, metric.WithAttributes(t.region, attribute.String("operation", op)))
}

func (t *telemetry) shed(ctx context.Context, reason string) {
	t.searchShed.Add(ctx, 1, metric.WithAttributes(t.region, attribute.String("reason", reason)))
}

func (t *telemetry) close() error { return t.gauge.Unregister() }
