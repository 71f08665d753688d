package callbacks

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const meterName = "github.com/fedhealth/federation/broker/callbacks"

// metrics counts refusals by region and reason only: never an id or body.
type metrics struct{ rejections metric.Int64Counter }

func newMetrics(mp metric.MeterProvider) (*metrics, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	c, err := mp.Meter(meterName).Int64Counter("callbacks.rejected",
		metric.WithDescription("Status callbacks refused, by region and reason (bad or missing signature, stale timestamp, undecodable body)."))
	if err != nil {
		return nil, err
	}
	return &metrics{rejections: c}, nil
}

func (m *metrics) rejected(ctx context.Context, region, reason string) {
	m.rejections.Add(ctx, 1, metric.WithAttributes(attribute.String("region", region), attribute.String("reason", reason)))
}
