package breaker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
)

func TestStateChangesAreExportedAndReported(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	var mu sync.Mutex
	var reported []contracts.RegionStatus
	m := newBreaker(t, breaker.Config{
		Region: "16", ConsecutiveFailures: 1, OpenTimeout: time.Hour,
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		OnStateChange: func(region string, to contracts.RegionStatus) {
			mu.Lock()
			defer mu.Unlock()
			if region == "16" {
				reported = append(reported, to)
			}
		},
	}, &fakeMIS{err: contracts.ErrRegionUnavailable})
	if got := gauge(t, reader); got != 0 {
		t.Fatalf("state gauge = %d before any failure, want 0 (closed)", got)
	}
	_ = hold(m)
	if got := gauge(t, reader); got != 2 {
		t.Fatalf("state gauge = %d after tripping, want 2 (open)", got)
	}
	eventually(t, "the hook hears of the outage", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reported) == 1 && reported[0] == contracts.RegionUnavailable
	})
}

func gauge(t *testing.T, reader *sdkmetric.ManualReader) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			g, ok := mt.Data.(metricdata.Gauge[int64])
			if mt.Name != "region.breaker.state" || !ok {
				continue
			}
			for _, p := range g.DataPoints {
				if v, _ := p.Attributes.Value("region"); v == attribute.StringValue("16") {
					return p.Value
				}
			}
		}
	}
	t.Fatal("no state gauge for region 16")
	return -1
}
