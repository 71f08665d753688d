package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/sagas/bus/kafka"
)

func newConcurrentSubscriber(t *testing.T, group string) *kafka.Subscriber {
	t.Helper()
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{
		Brokers: brokers, ConsumerGroup: group, MaxInFlight: 8, TopicPartitions: 1,
		NackResendSleep: 10 * time.Millisecond,
	}, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

func keyed(key, payload string) *message.Message {
	m := message.NewMessage(watermill.NewUUID(), []byte(payload))
	m.Metadata.Set(kafka.KeyMetadata, key)
	return m
}

func TestMessagesWithOtherKeysOvertakeOneThatIsStillBeingHandled(t *testing.T) {
	topic := uniqueName("inflight")
	ch := subscribe(t, newConcurrentSubscriber(t, uniqueName("group")), topic)
	publish(t, newPublisher(t), topic, keyed("slow", "s1"), keyed("fast", "f1"), keyed("slow", "s2"), keyed("fast", "f2"))

	// s1 is held unacked; f1 and f2 must still come, in their order.
	var slow *message.Message
	var fast []string
	for slow == nil || len(fast) < 2 {
		m := receive(t, ch)
		switch p := string(m.Payload); p {
		case "s1":
			slow = m
		case "f1", "f2":
			fast = append(fast, p)
			m.Ack()
		default:
			t.Fatalf("got %s while s1 is in hand: messages with one key must stay in order", p)
		}
	}
	if fast[0] != "f1" || fast[1] != "f2" {
		t.Fatalf("fast messages came as %v, want f1 then f2", fast)
	}
	select {
	case m := <-ch:
		t.Fatalf("got %s before s1 was acked: messages with one key must stay in order", m.Payload)
	case <-time.After(300 * time.Millisecond):
	}
	slow.Ack()
	if m := receive(t, ch); string(m.Payload) != "s2" {
		t.Fatalf("after s1, got %s, want s2", m.Payload)
	} else {
		m.Ack()
	}
}

func TestOnlyTheContiguousFinishedOffsetsAreCommitted(t *testing.T) {
	topic, group := uniqueName("lowwater"), uniqueName("group")
	publish(t, newPublisher(t), topic, keyed("a", "a1"), keyed("b", "b1"), keyed("c", "c1"))
	first := newConcurrentSubscriber(t, group)
	ch, err := first.Subscribe(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*message.Message{}
	for range 3 {
		m := receive(t, ch)
		got[string(m.Payload)] = m
	}
	got["b1"].Ack() // a1 unfinished: b1 and c1 must not be committed past it
	got["c1"].Ack()
	time.Sleep(200 * time.Millisecond)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	again := subscribe(t, newConcurrentSubscriber(t, group), topic)
	m := receive(t, again)
	if string(m.Payload) != "a1" {
		t.Fatalf("after a restart the group resumed at %s, want the unfinished a1", m.Payload)
	}
	m.Ack()
}
