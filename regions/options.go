package regions

import (
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/soap"
)

// Option adjusts how NewRegistry builds every region.
type Option func(*options)

type options struct {
	ledger     soap.Ledger
	meters     metric.MeterProvider
	tracers    trace.TracerProvider
	statusHook func(region string, to contracts.RegionStatus)
	onCall     func(region, op string, d time.Duration, o breaker.Outcome)
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

// WithCallObserver calls observe after every call of a region's port
// through its breaker: the operation, how long the MIS took (zero when the
// breaker or a budget refused the call and none was made) and the
// breaker's verdict on it (breaker.Outcome). It runs on the caller's
// goroutine, so it must be quick; see breaker.Config.OnCall.
func WithCallObserver(observe func(region, op string, d time.Duration, o breaker.Outcome)) Option {
	return func(o *options) { o.onCall = observe }
}

// WithLedger gives the regions whose MIS has no idempotency keys (soap,
// jsonrpc: their ledger ports are the same) the
// durable record of which MIS appointment answers which saga step
// (sagas/ledger implements it).
func WithLedger(l soap.Ledger) Option {
	return func(o *options) { o.ledger = l }
}
