package feed

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scope = "github.com/fedhealth/federation/regions/feed"

// telemetry holds the source's instruments. Attributes are region,
// outcome, reason and status only: never an identifier.
type telemetry struct {
	syncs   metric.Int64Counter
	skipped metric.Int64Counter
	// offsetMismatch shares its name with regions/fhir's, so one panel
	// shows the regions of every kind whose clocks disagree with their zone.
	offsetMismatch metric.Int64Counter
	reg            metric.Registration
}

func newTelemetry(s *Source, mp metric.MeterProvider) (telemetry, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(scope)
	syncs, err1 := m.Int64Counter("feed.syncs",
		metric.WithDescription("Polls of a slot feed, by outcome (ok, not_modified, refused, broken, too_large, unavailable)."))
	skipped, err2 := m.Int64Counter("feed.lines.skipped",
		metric.WithDescription("Feed lines and resources skipped when a data set is built, by reason."))
	offsets, err3 := m.Int64Counter("mis.slot.offset_mismatch",
		metric.WithDescription("Slots refused because their UTC offset is not the region's at that instant."))
	known, err4 := m.Int64ObservableGauge("feed.slots.known",
		metric.WithDescription("Slots of the data set in force, by status, as the feed says (free: free and not started, booked through the broker or not; busy: the rest)."))
	age, err5 := m.Float64ObservableGauge("feed.sync.age", metric.WithUnit("s"),
		metric.WithDescription("Seconds since the last successful sync of a slot feed."))
	t := telemetry{syncs: syncs, skipped: skipped, offsetMismatch: offsets}
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return t, err
	}
	region := attribute.String("region", s.cfg.Region.Code)
	reg, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := s.Status()
		if st.LastSync.IsZero() {
			return nil // no data set yet: no age to report, no slots to count
		}
		o.ObserveFloat64(age, s.cfg.Now().Sub(st.LastSync).Seconds(), metric.WithAttributes(region))
		o.ObserveInt64(known, int64(st.FreeSlots), metric.WithAttributes(region, attribute.String("status", "free")))
		o.ObserveInt64(known, int64(st.Slots-st.FreeSlots), metric.WithAttributes(region, attribute.String("status", "busy")))
		return nil
	}, known, age)
	t.reg = reg
	return t, err
}

func (t telemetry) sync(ctx context.Context, region, outcome string) {
	t.syncs.Add(ctx, 1, metric.WithAttributes(attribute.String("region", region), attribute.String("outcome", outcome)))
}

func (t telemetry) skip(ctx context.Context, region string, skipped map[string]int) {
	for reason, n := range skipped {
		t.skipped.Add(ctx, int64(n), metric.WithAttributes(attribute.String("region", region), attribute.String("reason", reason)))
	}
}
