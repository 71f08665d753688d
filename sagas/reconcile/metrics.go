package reconcile

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Metrics counts what reconciliation passes find and repair, by region and
// kind of difference, and the passes by outcome. No attribute names a
// booking or a citizen.
type Metrics struct {
	differences, repaired, passes metric.Int64Counter
}

// NewMetrics registers the instruments with mp (nil: the global provider).
func NewMetrics(mp metric.MeterProvider) (*Metrics, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter("github.com/fedhealth/federation/sagas/reconcile")
	var err error
	var out Metrics
	if out.differences, err = m.Int64Counter("reconcile.differences",
		metric.WithDescription("Differences between the history and an MIS found by reconciliation, by region and kind.")); err != nil {
		return nil, err
	}
	if out.repaired, err = m.Int64Counter("reconcile.repaired",
		metric.WithDescription("Differences repaired by reconciliation's clinic events, by region and kind.")); err != nil {
		return nil, err
	}
	if out.passes, err = m.Int64Counter("reconcile.passes",
		metric.WithDescription("Reconciliation passes, by region and outcome (ok, error).")); err != nil {
		return nil, err
	}
	return &out, nil
}

func (m *Metrics) found(ctx context.Context, f Finding) {
	if m == nil {
		return
	}
	attrs := metric.WithAttributes(attribute.String("region", f.Region), attribute.String("kind", string(f.Kind)))
	m.differences.Add(ctx, 1, attrs)
	if f.Repaired {
		m.repaired.Add(ctx, 1, attrs)
	}
}

func (m *Metrics) pass(ctx context.Context, region string, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.passes.Add(ctx, 1, metric.WithAttributes(attribute.String("region", region), attribute.String("outcome", outcome)))
}
