package system

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// edgeCall is what one request through the instrumented edge did: the
// headers of the outgoing call its handler made (as the MIS client makes
// them, with the global propagator), the baggage the handler saw, and the
// spans recorded in the caller's trace.
type edgeCall struct {
	outgoing http.Header
	baggage  int
	spans    tracetest.SpanStubs
}

// throughEdge installs tracing with sampler as the system does and sends
// one request with the caller's headers through telemetry.instrument.
func throughEdge(t *testing.T, sampler sdktrace.Sampler, header map[string]string) edgeCall {
	t.Helper()
	spans := tracetest.NewInMemoryExporter()
	startTracing(sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans), sdktrace.WithSampler(sampler)))
	t.Cleanup(func() { otel.SetTracerProvider(noop.NewTracerProvider()) })
	var out edgeCall
	mis := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { out.outgoing = r.Header.Clone() }))
	defer mis.Close()
	tel, err := newTelemetry()
	if err != nil {
		t.Fatal(err)
	}
	edge := httptest.NewServer(tel.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out.baggage = baggage.FromContext(r.Context()).Len()
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, mis.URL, nil)
		otel.GetTextMapPropagator().Inject(r.Context(), propagation.HeaderCarrier(req.Header))
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}), "http://127.0.0.1:0"))
	defer edge.Close()
	req, _ := http.NewRequest(http.MethodGet, edge.URL+"/api/v1/regions", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	out.spans = spans.GetSpans()
	return out
}

const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736"

func TestACallersSampledFlagDecidesNothing(t *testing.T) {
	t.Run("a sampled traceparent is not recorded when the ratio says no", func(t *testing.T) {
		c := throughEdge(t, Sampler(0), map[string]string{"traceparent": "00-" + callerTrace + "-00f067aa0ba902b7-01"})
		if len(c.spans) != 0 {
			t.Errorf("%d spans recorded for a caller-sampled trace at ratio 0, want none", len(c.spans))
		}
		if tp := c.outgoing.Get("traceparent"); !strings.HasPrefix(tp, "00-"+callerTrace+"-") || !strings.HasSuffix(tp, "-00") {
			t.Errorf("outgoing traceparent %q, want the caller's trace id, not sampled", tp)
		}
	})
	t.Run("an unsampled traceparent is recorded when the ratio says yes", func(t *testing.T) {
		c := throughEdge(t, Sampler(1), map[string]string{"traceparent": "00-" + callerTrace + "-00f067aa0ba902b7-00"})
		if len(c.spans) == 0 || c.spans[0].SpanContext.TraceID().String() != callerTrace {
			t.Errorf("spans %v, want the server span recorded in the caller's trace", c.spans)
		}
		if tp := c.outgoing.Get("traceparent"); !strings.HasSuffix(tp, "-01") {
			t.Errorf("outgoing traceparent %q, want sampled", tp)
		}
	})
	t.Run("a span continuing the broker's own Kafka message follows its flag", func(t *testing.T) {
		tid, _ := trace.TraceIDFromHex(callerTrace)
		sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
		parent := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true}))
		res := Sampler(0).ShouldSample(sdktrace.SamplingParameters{ParentContext: parent, TraceID: tid, Kind: trace.SpanKindConsumer})
		if res.Decision != sdktrace.RecordAndSample {
			t.Errorf("a consumer span of a sampled message: %v, want sampled", res.Decision)
		}
	})
}

func TestACallersBaggageAndTracestateGoNowhere(t *testing.T) {
	c := throughEdge(t, Sampler(1), map[string]string{
		"traceparent": "00-" + callerTrace + "-00f067aa0ba902b7-01",
		"tracestate":  "evil=citizen-ivan",
		"baggage":     "citizen=ivan,snils=11223344595",
	})
	if c.baggage != 0 {
		t.Errorf("the handler saw %d baggage members, want none", c.baggage)
	}
	for _, h := range []string{"baggage", "tracestate"} {
		if v := c.outgoing.Get(h); v != "" {
			t.Errorf("the outgoing call carries the caller's %s %q", h, v)
		}
	}
	for _, s := range c.spans {
		for _, kv := range s.Attributes {
			if strings.Contains(kv.Value.Emit(), "ivan") {
				t.Errorf("span %s has %s=%s from the caller's baggage", s.Name, kv.Key, kv.Value.Emit())
			}
		}
		if s.SpanContext.TraceState().Len() != 0 {
			t.Errorf("span %s keeps the caller's tracestate %s", s.Name, s.SpanContext.TraceState())
		}
	}
	if len(c.spans) == 0 {
		t.Error("no spans: the test looks at nothing")
	}
}
