package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/fedhealth/federation/sagas/bus/kafka"
)

var traceContext = propagation.TraceContext{}

func newPublisher(t *testing.T) *kafka.Publisher {
	t.Helper()
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: brokers, Propagator: traceContext}, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pub.Close() })
	return pub
}

func newSubscriber(t *testing.T, group string) *kafka.Subscriber {
	t.Helper()
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{
		Brokers:         brokers,
		ConsumerGroup:   group,
		Propagator:      traceContext,
		NackResendSleep: 10 * time.Millisecond,
	}, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

func subscribe(t *testing.T, sub message.Subscriber, topic string) <-chan *message.Message {
	t.Helper()
	ch, err := sub.Subscribe(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func receive(t *testing.T, ch <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case msg, ok := <-ch:
		if !ok {
			t.Fatal("channel closed before a message came")
		}
		return msg
	case <-time.After(15 * time.Second):
		t.Fatal("no message within 15s")
		return nil
	}
}

func publish(t *testing.T, pub message.Publisher, topic string, msgs ...*message.Message) {
	t.Helper()
	if err := pub.Publish(topic, msgs...); err != nil {
		t.Fatal(err)
	}
}

func uniqueName(prefix string) string { return prefix + "-" + watermill.NewShortUUID() }

func TestNackedMessageIsDeliveredAgain(t *testing.T) {
	topic := uniqueName("nack")
	pub, sub := newPublisher(t), newSubscriber(t, uniqueName("group"))
	sent := message.NewMessage(watermill.NewUUID(), []byte("x"))
	publish(t, pub, topic, sent)
	ch := subscribe(t, sub, topic)

	first := receive(t, ch)
	first.Nack()
	again := receive(t, ch)
	again.Ack()

	if first.UUID != sent.UUID || again.UUID != sent.UUID {
		t.Fatalf("got %s then %s, want %s twice", first.UUID, again.UUID, sent.UUID)
	}
}

func TestUnackedMessageComesAgainToTheNextSubscriberOfTheGroup(t *testing.T) {
	topic, group := uniqueName("at-least-once"), uniqueName("group")
	pub := newPublisher(t)
	acked := message.NewMessage(watermill.NewUUID(), []byte("1"))
	unacked := message.NewMessage(watermill.NewUUID(), []byte("2"))
	for _, m := range []*message.Message{acked, unacked} {
		m.Metadata.Set(kafka.KeyMetadata, "one-partition") // keep the order
	}
	publish(t, pub, topic, acked, unacked)

	first := newSubscriber(t, group)
	ch := subscribe(t, first, topic)
	receive(t, ch).Ack()
	if got := receive(t, ch); got.UUID != unacked.UUID {
		t.Fatalf("second message %s, want %s", got.UUID, unacked.UUID)
	}
	if err := first.Close(); err != nil { // without acking the second
		t.Fatal(err)
	}

	got := receive(t, subscribe(t, newSubscriber(t, group), topic))
	got.Ack()
	if got.UUID != unacked.UUID {
		t.Fatalf("next subscriber got %s, want the unacked %s (the acked one is committed)", got.UUID, unacked.UUID)
	}
}

func TestTraceContextTravelsWithTheMessage(t *testing.T) {
	published := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		SpanID:     trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		TraceFlags: trace.FlagsSampled,
	})
	relayed := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	cases := []struct {
		name  string
		build func() *message.Message
		want  string
	}{
		{"the span in the message context is continued by the handler", func() *message.Message {
			m := message.NewMessage(watermill.NewUUID(), nil)
			m.SetContext(trace.ContextWithSpanContext(context.Background(), published))
			return m
		}, published.TraceID().String()},
		{"a relayed message keeps the trace context in its metadata", func() *message.Message {
			m := message.NewMessage(watermill.NewUUID(), nil)
			m.SetContext(trace.ContextWithSpanContext(context.Background(), published))
			m.Metadata.Set("traceparent", relayed)
			return m
		}, "0af7651916cd43dd8448eb211c80319c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			topic := uniqueName("trace")
			publish(t, newPublisher(t), topic, tc.build())
			got := receive(t, subscribe(t, newSubscriber(t, uniqueName("group")), topic))
			got.Ack()
			sc := trace.SpanContextFromContext(got.Context())
			if sc.TraceID().String() != tc.want || !sc.IsRemote() {
				t.Fatalf("consumed trace %s (remote %v), want remote %s", sc.TraceID(), sc.IsRemote(), tc.want)
			}
		})
	}
}

func TestPositionIsInTheMessageContext(t *testing.T) {
	topic := uniqueName("position")
	sent := message.NewMessage(watermill.NewUUID(), []byte("x"))
	sent.Metadata.Set(kafka.KeyMetadata, "region-77")
	publish(t, newPublisher(t), topic, sent)
	got := receive(t, subscribe(t, newSubscriber(t, ""), topic))
	got.Ack()
	pos, ok := kafka.PositionFromContext(got.Context())
	if !ok || pos.Topic != topic || pos.Key != "region-77" || pos.Offset != 0 {
		t.Fatalf("position %+v (found %v), want topic %s, key region-77, offset 0", pos, ok, topic)
	}
}
