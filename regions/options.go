package regions

import (
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/soap"
)

// Option adjusts how NewRegistry builds every region.
type Option func(*options)

type options struct {
	ledger     soap.Ledger
	meters     metric.MeterProvider
	tracers    trace.TracerProvider
	statusHook func(region string, to contracts.RegionStatus)
}

// WithMeterProvider exports the clients' and breakers' metrics through mp
// instead of the otel global provider.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(o *options) { o.meters = mp }
}

// WithTracerProvider traces MIS calls through tp instead of the otel global
// provider.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracers = tp }
}

// WithStatusHook calls hook with each new status of a region's breaker,
// for example to persist the region's availability history. See
// breaker.Config.OnStateChange for when it runs.
func WithStatusHook(hook func(region string, to contracts.RegionStatus)) Option {
	return func(o *options) { o.statusHook = hook }
}

// WithLedger gives the regions whose MIS has no idempotency keys (soap,
// jsonrpc: their ledger ports are the same) the
// durable record of which MIS appointment answers which saga step
// (sagas/ledger implements it).
func WithLedger(l soap.Ledger) Option {
	return func(o *options) { o.ledger = l }
}
