package system_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace/noop"
)

func TestOneTraceRunsFromTheRequestThroughKafkaToTheMISCalls(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	h := newHarness(t, 1, func(o *system.Options) { o.TracerProvider = tp })
	tok := h.token("trace")
	slot := h.freeSlots(tok, "77", 1)[0]
	traceID := "4bf92f3577b34da6a3ce929d0e0e4736"
	r := h.call(http.MethodPost, "/api/v1/bookings", tok, fmt.Sprintf(`{"slot_id":%q}`, slot.ID), map[string]string{
		"Idempotency-Key": "trace-1", "traceparent": "00-" + traceID + "-00f067aa0ba902b7-01",
	})
	if r.status != http.StatusAccepted {
		t.Fatalf("book: %d %s", r.status, r.body)
	}
	var b bookingView
	_ = json.Unmarshal(r.body, &b)
	h.waitStatus(tok, b.ID, 10*time.Second, "confirmed")
	want := []string{"POST /api/v1/bookings", "saga.booking.advance", "mis.hold", "mis.book"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var names []string
		for _, s := range spans.GetSpans() {
			if s.SpanContext.TraceID().String() == traceID {
				names = append(names, s.Name)
			}
		}
		missing := slices.DeleteFunc(slices.Clone(want), func(n string) bool { return slices.Contains(names, n) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("trace %s has spans %v; missing %v", traceID, names, missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
