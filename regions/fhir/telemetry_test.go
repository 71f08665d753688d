package fhir_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func TestCallsCarryTraceContextAndAreMeasured(t *testing.T) {
	// The propagator is process-global in otel; the client uses whatever the
	// binary installed, so the test installs the W3C one.
	otel.SetTextMapPropagator(propagation.TraceContext{})
	reader := sdkmetric.NewManualReader()
	mis := newScriptedMIS(t, answer{status: http.StatusConflict, body: outcome("slot-taken")})
	cfg := testConfig(mis.srv.URL)
	cfg.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	cfg.TracerProvider = sdktrace.NewTracerProvider()
	_ = hold(newClient(t, cfg))

	if tp := mis.attempts()[0].header.Get("Traceparent"); !strings.HasPrefix(tp, "00-") {
		t.Errorf("traceparent = %q, want a W3C trace context", tp)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	want := attribute.NewSet(attribute.String("region", "25"), attribute.String("operation", "hold"), attribute.String("outcome", "slot_taken"))
	for _, name := range []string{"mis.call.duration", "mis.call.errors"} {
		if !hasPoint(rm, name, want) {
			t.Errorf("%s has no point with %v", name, want.Encoded(attribute.DefaultEncoder()))
		}
	}
}

func hasPoint(rm metricdata.ResourceMetrics, name string, attrs attribute.Set) bool {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					if p.Attributes.Equals(&attrs) {
						return true
					}
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					if p.Attributes.Equals(&attrs) {
						return true
					}
				}
			}
		}
	}
	return false
}
