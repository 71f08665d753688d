package sagas

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Metrics records how bookings end. Attributes are region and outcome only:
// never anything that identifies a citizen.
type Metrics struct {
	outcomes metric.Int64Counter
	duration metric.Float64Histogram
}

// NewMetrics registers the saga instruments with mp (nil: the global provider).
func NewMetrics(mp metric.MeterProvider) (*Metrics, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter("github.com/fedhealth/federation/sagas")
	outcomes, err := m.Int64Counter("bookings",
		metric.WithDescription("Bookings that reached a final status, by region and outcome."))
	if err != nil {
		return nil, err
	}
	duration, err := m.Float64Histogram("saga.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Time from the citizen's request to the booking's final status."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
	if err != nil {
		return nil, err
	}
	return &Metrics{outcomes: outcomes, duration: duration}, nil
}

// Finished records that b reached its current (final) status at now. The
// saga duration is recorded for the booking saga's outcomes only; a
// cancellation's time since the booking was made would mean nothing.
func (m *Metrics) Finished(ctx context.Context, b *Booking, now time.Time) {
	attrs := metric.WithAttributes(attribute.String("region", b.Region), attribute.String("outcome", string(b.Status)))
	m.outcomes.Add(ctx, 1, attrs)
	if b.Status != StatusCancelled {
		m.duration.Record(ctx, now.Sub(b.CreatedAt).Seconds(), attrs)
	}
}
