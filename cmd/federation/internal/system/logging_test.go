package system_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func TestALineLoggedInsideASpanCarriesItsTraceAndSpanIDs(t *testing.T) {
	var buf bytes.Buffer
	log := system.WithTraceIDs(slog.New(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	ctx, span := sdktrace.NewTracerProvider().Tracer("test").Start(context.Background(), "op")
	defer span.End()

	log.InfoContext(ctx, "inside")
	log.Info("outside")
	log.InfoContext(context.Background(), "no span")

	dec := json.NewDecoder(&buf)
	want := map[string]string{
		"inside":  span.SpanContext().TraceID().String() + "/" + span.SpanContext().SpanID().String(),
		"outside": "/", "no span": "/",
	}
	for range want {
		var line map[string]string
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		if got := line["trace_id"] + "/" + line["span_id"]; got != want[line["msg"]] || line["component"] != "test" {
			t.Errorf("%q: ids %q, component %q; want %q and test", line["msg"], got, line["component"], want[line["msg"]])
		}
	}
	if system.WithTraceIDs(log) != log {
		t.Error("wrapping twice adds the ids twice")
	}
}
