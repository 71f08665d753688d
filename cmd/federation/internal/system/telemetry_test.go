package system_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// lockedBuffer collects the system's log lines while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines decodes the JSON log lines written so far.
func (b *lockedBuffer) lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range bytes.Split(b.buf.Bytes(), []byte("\n")) {
		var m map[string]any
		if json.Unmarshal(l, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// TestTelemetryIsOnWithoutAnyCollector starts a system with no tracer
// provider and no exporter, as the demo does, and checks what an operator
// would rely on: traces in Kafka and logs, and the /metrics page.
func TestTelemetryIsOnWithoutAnyCollector(t *testing.T) {
	var logs lockedBuffer
	h := newHarness(t, 1, func(o *system.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	tok := h.token("tele")
	const traceID = "0af7651916cd43dd8448eb211c80319c"
	r := h.call(http.MethodPost, "/api/v1/bookings", tok, `{"slot_id":"`+h.freeSlots(tok, "77", 1)[0].ID+`"}`, map[string]string{
		"Idempotency-Key": "tele-1", "traceparent": "00-" + traceID + "-b7ad6b7169203331-01", "baggage": "citizen=ivan",
	})
	var b bookingView
	h.mustJSON(r, http.StatusAccepted, &b)
	h.waitStatus(tok, b.ID, 10*time.Second, "confirmed")
	h.call(http.MethodGet, "/api/v1/bookings/"+b.ID, tok, "", nil)

	t.Run("every Kafka message carries a traceparent, the booking's its request's, and none carries baggage", func(t *testing.T) {
		msgs := h.topicMessages(contracts.RegionTopic("77"), contracts.TopicEvents)
		ofBooking := 0
		for _, m := range msgs {
			tp := m.Metadata.Get("traceparent")
			if !strings.HasPrefix(tp, "00-") {
				t.Errorf("message %s has no traceparent: %v", m.UUID, m.Metadata)
			}
			if m.Metadata.Get("baggage") != "" {
				t.Errorf("message %s carries the caller's baggage %q", m.UUID, m.Metadata.Get("baggage"))
			}
			if strings.Contains(string(m.Payload), b.ID) && strings.HasPrefix(tp, "00-"+traceID) {
				ofBooking++
			}
		}
		if ofBooking < 3 { // the hold and book commands and the events at least
			t.Errorf("%d of %d messages are in the request's trace, want the booking's commands and events", ofBooking, len(msgs))
		}
	})

	t.Run("a failed request's log lines carry its trace id", func(t *testing.T) {
		h.faults("77", missim.Faults{Down: true})
		defer h.faults("77", missim.Faults{})
		const failedTrace = "5b8efff798038103d269b633813fc60c"
		r := h.call(http.MethodGet, "/api/v1/slots?region=77&specialty="+missim.SpecialtyCardiology, tok, "", map[string]string{
			"traceparent": "00-" + failedTrace + "-eee19b7ec3c1b174-01"})
		if r.status != http.StatusServiceUnavailable {
			t.Fatalf("search in a region that is down: %d %s, want 503", r.status, r.body)
		}
		var traced []string
		for _, l := range logs.lines() {
			if l["trace_id"] == failedTrace {
				traced = append(traced, l["msg"].(string))
			}
		}
		if !containsString(traced, "request failed") {
			t.Errorf("log lines in trace %s: %q, want the API's request failed among them", failedTrace, traced)
		}
	})

	t.Run("metrics have one prefix, service_name, no scope labels, routes as patterns and the backlog gauges", func(t *testing.T) {
		families := h.scrape()
		for name, f := range families {
			if !strings.HasPrefix(name, "federation_") && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
				t.Errorf("metric %s has neither the federation_ prefix nor a standard go_/process_ name", name)
			}
			for _, m := range f.GetMetric() {
				labels := labelMap(m)
				for l := range labels {
					if strings.HasPrefix(l, "otel_scope") {
						t.Errorf("metric %s has label %s", name, l)
					}
				}
				if strings.HasPrefix(name, "federation_") && labels["service_name"] != system.ServiceName {
					t.Errorf("metric %s{%v} lacks service_name=%s", name, labels, system.ServiceName)
				}
				if route, ok := labels["http_route"]; ok && (strings.Contains(route, b.ID) || !strings.HasPrefix(route, "/api/v1/")) {
					t.Errorf("metric %s has http_route %q, want a route pattern of the API", name, route)
				}
			}
		}
		routes := map[string]bool{}
		for _, m := range families["federation_http_server_request_duration_seconds"].GetMetric() {
			routes[labelMap(m)["http_route"]] = true
		}
		for _, want := range []string{"/api/v1/bookings", "/api/v1/bookings/{id}", "/api/v1/slots"} {
			if !routes[want] {
				t.Errorf("HTTP server metrics have routes %v, want %s", routes, want)
			}
		}
		for _, gauge := range []string{"federation_outbox_backlog", "federation_bookings_pending", "federation_kafka_consumer_lag", "federation_dead_letters_total",
			"go_goroutines", "process_resident_memory_bytes", "federation_bookings_total", "federation_mis_call_duration_seconds"} {
			if len(families[gauge].GetMetric()) == 0 {
				t.Errorf("no %s", gauge)
			}
		}
	})
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func labelMap(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// scrape reads the system's /metrics page (on the internal listener).
func (h *harness) scrape() map[string]*dto.MetricFamily {
	h.t.Helper()
	r := h.internal("/metrics")
	if r.status != http.StatusOK {
		h.t.Fatalf("/metrics: %d", r.status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(r.body))
	if err != nil {
		h.t.Fatalf("/metrics does not parse: %v", err)
	}
	return families
}

// topicMessages reads the harness's topics from their start, without a
// consumer group, until they stay quiet for a second.
func (h *harness) topicMessages(topics ...string) []*message.Message {
	h.t.Helper()
	var out []*message.Message
	for _, topic := range topics {
		sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{Brokers: h.sys.KafkaAddrs, SkipTopicCreation: true}, nil)
		if err != nil {
			h.t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		msgs, err := sub.Subscribe(ctx, h.opts.KafkaNamespace+topic)
		if err != nil {
			h.t.Fatal(err)
		}
	read:
		for {
			select {
			case m := <-msgs:
				out = append(out, m)
				m.Ack()
			case <-time.After(time.Second):
				break read
			}
		}
		cancel()
		sub.Close()
	}
	return out
}
