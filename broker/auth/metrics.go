package auth

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const meterName = "github.com/fedhealth/federation/broker/auth"

// metrics counts outcomes only: no subject, token or identifier is ever an
// attribute.
type metrics struct {
	verifications metric.Int64Counter
	keyFetches    metric.Int64Counter
}

func newMetrics(mp metric.MeterProvider) (*metrics, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(meterName)
	verifications, err := m.Int64Counter("auth.token.verifications",
		metric.WithDescription("Bearer tokens verified, by outcome."))
	if err != nil {
		return nil, err
	}
	keyFetches, err := m.Int64Counter("auth.jwks.fetches",
		metric.WithDescription("Fetches of the issuer's signing keys, by result."))
	if err != nil {
		return nil, err
	}
	return &metrics{verifications: verifications, keyFetches: keyFetches}, nil
}

func (m *metrics) verified(ctx context.Context, outcome string) {
	m.verifications.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", outcome)))
}

func (m *metrics) fetched(ctx context.Context, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.keyFetches.Add(ctx, 1, metric.WithAttributes(attribute.String("result", result)))
}
