package fhir

import (
	"context"
	"errors"
	"time"

	"github.com/fedhealth/federation/regions/slotoffset"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/fedhealth/federation/contracts"
)

const scope = "github.com/fedhealth/federation/regions/fhir"

// telemetry holds the client's instruments. Attributes are region,
// operation and outcome only: never an identifier.
type telemetry struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram
	errors   metric.Int64Counter
	retries  metric.Int64Counter
	// offsetMismatch and offsets count the slots refused for their UTC
	// offset (see offset.go): the metric for dashboards, the log of the
	// latest example for operators.
	offsetMismatch metric.Int64Counter
	offsets        *slotoffset.Log
}

func newTelemetry(cfg Config) (telemetry, error) {
	mp, tp := cfg.MeterProvider, cfg.TracerProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	m := mp.Meter(scope)
	duration, err1 := m.Float64Histogram("mis.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Latency of MIS calls, retries included."),
		metric.WithExplicitBucketBoundaries(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
	errs, err2 := m.Int64Counter("mis.call.errors", metric.WithDescription("MIS calls that ended in an error, by outcome."))
	retries, err3 := m.Int64Counter("mis.call.retries", metric.WithDescription("Repeated attempts of MIS calls."))
	offsetMismatch, err4 := m.Int64Counter("mis.slot.offset_mismatch",
		metric.WithDescription("Slots refused because their UTC offset is not the region's at that instant."))
	return telemetry{tracer: tp.Tracer(scope), duration: duration, errors: errs, retries: retries,
		offsetMismatch: offsetMismatch, offsets: &slotoffset.Log{}}, errors.Join(err1, err2, err3, err4)
}

// start opens the call's client span; end records its latency and outcome.
func (t telemetry) start(ctx context.Context, region, op string) (context.Context, func(error)) {
	begin := time.Now()
	ctx, span := t.tracer.Start(ctx, "mis."+op, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("region", region), attribute.String("operation", op)))
	return ctx, func(err error) {
		outcome := Outcome(err)
		attrs := metric.WithAttributes(attribute.String("region", region),
			attribute.String("operation", op), attribute.String("outcome", outcome))
		t.duration.Record(ctx, time.Since(begin).Seconds(), attrs)
		span.SetAttributes(attribute.String("outcome", outcome))
		if err != nil {
			t.errors.Add(ctx, 1, attrs)
			if !contracts.IsRefusal(err) {
				span.SetStatus(codes.Error, outcome)
			}
		}
		span.End()
	}
}

func (t telemetry) retry(ctx context.Context, region, op string) {
	t.retries.Add(ctx, 1, metric.WithAttributes(attribute.String("region", region), attribute.String("operation", op)))
}

// Outcome names the class of a call's result for metrics: "ok", the
// error's kind (contracts.Kind.String: "slot_taken", "not_found",
// "unavailable", "outcome_unknown", "internal", ...), or, when the kind
// alone would hide it, "unauthorized" (the broker's credentials were
// rejected) and "canceled" (the caller walked away; an unclassified error).
func Outcome(err error) string {
	kind := contracts.KindOf(err)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrUnauthorized):
		return "unauthorized"
	case kind == contracts.KindInternal && errors.Is(err, context.Canceled):
		return "canceled"
	}
	return kind.String()
}
