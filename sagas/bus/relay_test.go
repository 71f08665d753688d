package bus_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/bus"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/fedhealth/federation/sagas/bus/kafkaembed"
	"github.com/fedhealth/federation/sagas/store"
)

// recording publishes through the real publisher and notes when each
// topic's publish began and ended.
type recording struct {
	message.Publisher
	mu    sync.Mutex
	calls []call
}

type call struct {
	topic      string
	n          int
	start, end time.Time
}

func (r *recording) Publish(topic string, msgs ...*message.Message) error {
	start := time.Now()
	err := r.Publisher.Publish(topic, msgs...)
	r.mu.Lock()
	r.calls = append(r.calls, call{topic, len(msgs), start, time.Now()})
	r.mu.Unlock()
	return err
}

func (r *recording) snapshot() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// setup is a SQLite store and a publisher to the embedded broker.
func setup(t *testing.T) (*store.DB, *recording) {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "relay.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cluster, err := kafkaembed.Start(kafkaembed.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Close() })
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: cluster.Addrs()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pub.Close() })
	return db, &recording{Publisher: pub}
}

// book creates a booking in region, which queues its saga command and its
// pending event.
func book(t *testing.T, db *store.DB, id, region string) {
	t.Helper()
	now := time.Now()
	slot := sagas.SlotSnapshot{ID: region + ":S-" + id, MISSlotID: "S-" + id, Start: now.Add(time.Hour), End: now.Add(time.Hour + 20*time.Minute)}
	if err := db.Create(context.Background(), sagas.NewBooking(id, "c-"+id, slot, region, nil, "corr-"+id, now, time.Minute)); err != nil {
		t.Fatal(err)
	}
}

func TestTheSagaCommandsOfARoundArePublishedBeforeItsEvents(t *testing.T) {
	db, pub := setup(t)
	for i, region := range []string{"77", "78", "16"} {
		book(t, db, fmt.Sprint("b", i), region)
	}
	relay := bus.NewRelay(db, pub, nil)
	relay.First = contracts.IsRegionTopic
	n, err := relay.Flush(context.Background())
	if err != nil || n != 6 {
		t.Fatalf("flushed %d, %v; want the three commands and three events", n, err)
	}
	var lastCommand, firstEvent time.Time
	for _, c := range pub.snapshot() {
		switch {
		case contracts.IsRegionTopic(c.topic):
			if c.end.After(lastCommand) {
				lastCommand = c.end
			}
		case firstEvent.IsZero() || c.start.Before(firstEvent):
			firstEvent = c.start
		}
	}
	if firstEvent.Before(lastCommand) {
		t.Errorf("the events began publishing %v before the last command was acknowledged; want them after", lastCommand.Sub(firstEvent))
	}
	if recs, _ := db.FetchOutbox(context.Background(), 10); len(recs) != 0 {
		t.Errorf("%d records left in the outbox after the round", len(recs))
	}
}

func TestALingeringRelayTakesWhatWasWrittenMeanwhileInOneRound(t *testing.T) {
	db, pub := setup(t)
	relay := bus.NewRelay(db, pub, nil)
	relay.Linger = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()
	time.Sleep(100 * time.Millisecond) // its first round, at once, found nothing
	book(t, db, "b1", "77")            // wakes the relay, which lingers
	time.Sleep(50 * time.Millisecond)
	book(t, db, "b2", "77")
	deadline := time.Now().Add(10 * time.Second)
	for len(pub.snapshot()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	calls := pub.snapshot()
	if len(calls) != 2 || calls[0].n != 2 || calls[1].n != 2 {
		t.Errorf("publishes %+v, want one round: two commands to the region and two events", calls)
	}
}
