package system

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// ServiceName is the service.name of the broker's traces and metrics.
const ServiceName = "federation-broker"

// MetricNamespace prefixes every metric the broker defines
// (federation_bookings_total, ...); the Go runtime's go_* and the
// process's process_* keep their standard names.
const MetricNamespace = "federation"

// Resource describes the broker to telemetry backends: its service.name,
// on the spans (the OTLP exporter's resource) and on every metric (as the
// service_name label).
func Resource() *resource.Resource {
	return resource.NewSchemaless(semconv.ServiceName(ServiceName))
}

// startTracing installs the process-wide trace context propagation and
// tracer provider. Trace context crosses HTTP and Kafka as W3C traceparent
// headers and nothing else: baggage is neither accepted from callers nor
// passed on (propagation.TraceContext alone; a composite with Baggage
// would let any caller put values into every MIS call and Kafka message).
// Without a provider from cmd, spans are recorded by a provider sampling
// everything (Sampler(1)) with no exporter, so that every Kafka message
// carries a traceparent and every log line of a request or saga step its
// trace_id, even where no collector runs.
func startTracing(tp trace.TracerProvider) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	if tp == nil {
		tp = sdktrace.NewTracerProvider(sdktrace.WithSampler(Sampler(1)), sdktrace.WithResource(Resource()))
	}
	otel.SetTracerProvider(tp)
}

// Sampler records ratio (0..1) of the traces: those begun here, and those
// a caller continues at the public edge, for which the decision is drawn
// afresh whatever the caller's traceparent says. A caller's sampled flag
// would otherwise decide what the broker records and exports (a flood of
// sampled requests is a flood of spans), and so would its trace id under
// a trace-id ratio, since the caller picks it. The caller's trace id is
// kept (the portal can find its requests) but its tracestate is not. Every
// other span follows its parent: a trace stays whole across Kafka, whose
// traceparents the broker wrote itself, and the MIS calls.
func Sampler(ratio float64) sdktrace.Sampler {
	return edgeSampler{ratio: ratio, inner: sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))}
}

type edgeSampler struct {
	ratio float64
	inner sdktrace.Sampler
}

func (s edgeSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	parent := trace.SpanContextFromContext(p.ParentContext)
	if !parent.IsValid() || !parent.IsRemote() || p.Kind != trace.SpanKindServer {
		return s.inner.ShouldSample(p)
	}
	// An unpredictable draw: the trace id is the caller's to choose.
	if rand.Float64() < s.ratio {
		return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample}
	}
	return sdktrace.SamplingResult{Decision: sdktrace.Drop}
}

func (s edgeSampler) Description() string {
	return fmt.Sprintf("EdgeSampler{ratio:%g,otherwise:%s}", s.ratio, s.inner.Description())
}

// telemetry is one system's metrics: an OpenTelemetry meter provider read
// by a Prometheus exporter with its own registry, so that several systems
// in one test process do not collide.
type telemetry struct {
	provider metric.MeterProvider
	handler  http.Handler
}

func newTelemetry() (*telemetry, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, err
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, err
	}
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg),
		otelprom.WithNamespace(MetricNamespace),
		otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes),
		// The scope (which Go package made the metric) is not worth a label
		// on every series.
		otelprom.WithoutScopeInfo(),
		// service.name as a label on every series, so no target_info join is
		// needed; target_info would repeat it, unprefixed.
		otelprom.WithResourceAsConstantLabels(attribute.NewAllowKeysFilter(semconv.ServiceNameKey)),
		otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, err
	}
	return &telemetry{
		provider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(Resource())),
		handler:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}, nil
}

// instrument wraps the server's handler in otelhttp: a server span per
// request, continuing the caller's traceparent (never its baggage), and
// the HTTP server metrics. The API's router adds the route (http.route)
// to both. The server's own address names it in the metrics, not the
// Host header a caller sends, which would let callers mint label values.
// Probes and scrapes are left out: they would flood the traces.
func (t *telemetry) instrument(h http.Handler, baseURL string) http.Handler {
	u, _ := url.Parse(baseURL)
	// A ServeMux sets the Pattern ("/" for the whole API) of the request it
	// is handed, and otelhttp would take that for the route, in the metrics
	// and the span name; hand the mux a copy, so the API's router's route
	// is the one that counts.
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r.WithContext(r.Context())) })
	return otelhttp.NewHandler(inner, "http.server",
		otelhttp.WithMeterProvider(t.provider),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithServerName(u.Host),
		otelhttp.WithFilter(func(r *http.Request) bool {
			switch r.URL.Path {
			case "/metrics", "/healthz", "/readyz":
				return false
			}
			return true
		}))
}
