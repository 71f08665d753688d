package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// newTracerProvider exports spans over OTLP/HTTP to endpoint, sampling
// ratio of the traces (a caller's traceparent does not decide: system.Sampler).
// Its Shutdown flushes what is buffered. Without an endpoint serve leaves
// the provider to the system, which records every trace and exports none.
func newTracerProvider(ctx context.Context, endpoint string, ratio float64) (*sdktrace.TracerProvider, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("tracing.otlp_endpoint %q: want http(s)://host:port", endpoint)
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(u.JoinPath("/v1/traces").String())}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("tracing exporter: %w", err)
	}
	if ratio <= 0 || ratio > 1 {
		ratio = 1
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(system.Resource()),
		sdktrace.WithSampler(system.Sampler(ratio)), // the caller's sampled flag decides nothing
	), nil
}
