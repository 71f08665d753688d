package analytics_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel/metric/noop"
)

// retained is watermill's in-memory pubsub that keeps every message for
// each new subscriber, as a topic with long retention does for a new
// consumer group; a generation's Close ends only its subscription.
type retained struct{ *gochannel.GoChannel }

func (retained) Close() error { return nil }

func TestTheConsumerCountsTheTopicAndReReadsItAfterARebuild(t *testing.T) {
	st := newStore(t, sqldbtest.SQLite)
	bus := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, nil)
	t.Cleanup(func() { bus.Close() })
	var (
		mu     sync.Mutex
		groups []string
	)
	c, err := analytics.NewConsumer(analytics.ConsumerConfig{Store: st, PollGeneration: 50 * time.Millisecond, Meter: noop.NewMeterProvider(),
		Subscriber: func(group string) (message.Subscriber, error) {
			mu.Lock()
			defer mu.Unlock()
			groups = append(groups, group)
			return retained{bus}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	publish := func(topic string, v any) {
		body, _ := json.Marshal(v)
		if err := bus.Publish(topic, message.NewMessage(uuid.NewString(), body)); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		for _, ev := range (booking{region: "77", specialty: "therapist", at: on(1), outcome: "confirmed"}).events() {
			publish(contracts.TopicEvents, ev)
			publish(contracts.TopicEvents, ev) // delivered twice
		}
	}
	bus.Publish(contracts.TopicEvents, message.NewMessage(uuid.NewString(), []byte(`{"v":1,"status":`))) // malformed: skipped
	publish(contracts.TopicLeadTimes, contracts.SlotLeadTime{Version: 1, EventID: "l1", Region: "77", Specialty: "therapist",
		ObservedAt: on(1), EarliestStart: on(2)})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() { cancel(); <-done }()
	awaitApplied(t, st, 21) // 20 events and the sample, each once
	if gen, err := st.Rebuild(context.Background()); err != nil || gen != 2 {
		t.Fatalf("rebuild: %d, %v", gen, err)
	}
	awaitApplied(t, st, 21) // all of it again, in generation 2
	r, err := service(t, st).Overview(context.Background(), filter(1, 1, ""))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := figure(r, "outcomes", "", "77", "confirmed"); v == nil || *v != 10 {
		t.Errorf("confirmed after the rebuild: %s, want 10", describe(v))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(groups) < 4 || groups[2] != "fed-analytics.g2" || groups[3] != "fed-analytics.g2.leadtimes" {
		t.Errorf("consumer groups %v: want generation 1's two, then generation 2's", groups)
	}
}

func awaitApplied(t *testing.T, st *analytics.Store, want int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := st.State(context.Background())
		if err == nil && s.Applied >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("state %+v, %v: want %d applied", s, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
