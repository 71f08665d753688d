package runner_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/runner"
)

func TestOnlyWhatRedeliveryCannotCureIsPermanent(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"an invalid command is permanent", fmt.Errorf("decode: %w", contracts.ErrInvalid), true},
		{"a booking that does not exist is permanent", contracts.ErrNotFound, true},
		{"a panic in a step is permanent", middleware.RecoveredPanicError{V: "boom"}, true},
		{"a command from a newer instance is not permanent: a newer instance can run it", contracts.ErrUnsupported, false},
		{"an unavailable region is not permanent", contracts.ErrRegionUnavailable, false},
		{"an unknown outcome is not permanent: the step is repeated with its key", contracts.ErrOutcomeUnknown, false},
		{"a conflict is not permanent", contracts.ErrConflict, false},
		{"an unclassified error is not permanent", errors.New("database locked"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := runner.Permanent(c.err); got != c.want {
				t.Errorf("Permanent(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}

// During a rolling deploy an old instance reads commands a newer one wrote:
// it must leave them in Kafka for the newer one, not dead-letter them.
func TestUnsupportedCommandsGoBackToKafkaAndInvalidOnesToTheDeadLetters(t *testing.T) {
	pubsub := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, watermill.NopLogger{})
	dead := &recordingPublisher{}
	advancer := &recordingAdvancer{}
	reader := sdkmetric.NewManualReader()
	rt, err := runner.New(runner.Config{
		Regions:            []string{"01", "02"},
		Sagas:              map[contracts.SagaKind]runner.Advancer{contracts.SagaBooking: advancer}, // no cancellation here
		Sweeper:            idleSweeper{},
		Subscriber:         func(string) (message.Subscriber, error) { return pubsub, nil },
		DeadLetters:        dead,
		UnsupportedBackoff: 10 * time.Millisecond,
		SweepEvery:         time.Hour,
		Meter:              sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	<-rt.Running()

	const invalid = `{"v":1,"kind":"booking","region":"01"}`
	publish(t, pubsub, "01", `{"v":1,"saga_id":"b1","kind":"booking","region":"01"}`)
	publish(t, pubsub, "01", invalid)
	publish(t, pubsub, "01", `{"v":2,"saga_id":"b2","kind":"reschedule","region":"01","new_slot_id":"s2"}`)
	publish(t, pubsub, "02", `{"v":1,"saga_id":"b3","kind":"cancellation","region":"02"}`)

	eventually(t, "the newer command is deferred again and again in region 01", func() bool {
		return deferred(t, reader, "01", "unsupported") >= 3
	})
	eventually(t, "the command of a saga this instance lacks is deferred in region 02", func() bool {
		return deferred(t, reader, "02", "unsupported") >= 3
	})
	if got := advancer.ids(); len(got) != 1 || got[0] != "b1" {
		t.Errorf("advanced %v, want only b1", got)
	}
	letters := dead.messages()
	if len(letters) != 1 || string(letters[0].Payload) != invalid {
		t.Fatalf("dead letters %v, want only the invalid command", payloads(letters))
	}
	if reason := letters[0].Metadata.Get(middleware.ReasonForPoisonedKey); reason == "" {
		t.Error("the dead letter carries no reason")
	}
}

func publish(t *testing.T, pub message.Publisher, region, payload string) {
	t.Helper()
	if err := pub.Publish(contracts.RegionTopic(region), message.NewMessage(watermill.NewUUID(), []byte(payload))); err != nil {
		t.Fatal(err)
	}
}

func deferred(t *testing.T, reader *sdkmetric.ManualReader, region, reason string) int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	want := attribute.NewSet(attribute.String("region", region), attribute.String("reason", reason))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			sum, ok := m.Data.(metricdata.Sum[int64])
			if m.Name != "federation.saga.messages.deferred" || !ok {
				continue
			}
			for _, p := range sum.DataPoints {
				if p.Attributes.Equals(&want) {
					return p.Value
				}
			}
		}
	}
	return 0
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("not within 5s: %s", what)
}

type recordingPublisher struct {
	mu   sync.Mutex
	msgs []*message.Message
}

func (p *recordingPublisher) Publish(_ string, msgs ...*message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, msgs...)
	return nil
}

func (p *recordingPublisher) Close() error { return nil }

func (p *recordingPublisher) messages() []*message.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*message.Message(nil), p.msgs...)
}

func payloads(msgs []*message.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, string(m.Payload))
	}
	return out
}

type recordingAdvancer struct {
	mu       sync.Mutex
	advanced []string
}

func (a *recordingAdvancer) Advance(_ context.Context, id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.advanced = append(a.advanced, id)
	return nil
}

func (a *recordingAdvancer) ids() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.advanced...)
}
