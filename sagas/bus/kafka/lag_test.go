package kafka_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/sagas/bus/kafka"
)

func TestLagCountsWhatTheSubscriberHasNotFetchedYetAndFallsToZero(t *testing.T) {
	const n = 300 // more than a reader queues ahead (kafka-go's QueueCapacity, 100)
	topic := uniqueName("lag")
	pub, sub := newPublisher(t), newSubscriber(t, uniqueName("group"))
	msgs := make([]*message.Message, n)
	for i := range msgs {
		msgs[i] = message.NewMessage(watermill.NewUUID(), []byte("x"))
		msgs[i].Metadata.Set(kafka.KeyMetadata, "one-partition")
	}
	publish(t, pub, topic, msgs...)
	if sub.Lag() != 0 {
		t.Errorf("lag %d before subscribing, want 0", sub.Lag())
	}
	ch := subscribe(t, sub, topic)
	held := receive(t, ch) // not acked: the reader stops once its queue is full
	waitFor(t, "a lag while the backlog waits", func() bool { return sub.Lag() > 0 && sub.Lag() < n })
	held.Ack()
	for range n - 1 {
		receive(t, ch).Ack()
	}
	waitFor(t, "no lag once everything was fetched", func() bool { return sub.Lag() == 0 })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
