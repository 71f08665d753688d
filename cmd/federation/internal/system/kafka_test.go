package system_test

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/google/uuid"
)

func (h *harness) publisher() *kafka.Publisher {
	h.t.Helper()
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: h.sys.KafkaAddrs}, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { pub.Close() })
	return pub
}

// publishRaw publishes payload to the harness's namespaced topic.
func (h *harness) publishRaw(pub *kafka.Publisher, topic string, payload []byte) {
	h.t.Helper()
	if err := pub.Publish(h.opts.KafkaNamespace+topic, message.NewMessage(uuid.NewString(), payload)); err != nil {
		h.t.Fatal(err)
	}
}

// deadLetters reads n messages from the dead-letter topic and returns the
// reasons they carry.
func (h *harness) deadLetters(n int, timeout time.Duration) []string {
	h.t.Helper()
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{Brokers: h.sys.KafkaAddrs}, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	defer sub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	msgs, err := sub.Subscribe(ctx, h.opts.KafkaNamespace+contracts.TopicDeadLetter)
	if err != nil {
		h.t.Fatal(err)
	}
	var reasons []string
	for len(reasons) < n {
		select {
		case m, ok := <-msgs:
			if !ok {
				h.t.Fatalf("dead-letter topic closed after %d of %d messages", len(reasons), n)
			}
			reasons = append(reasons, m.Metadata.Get(middleware.ReasonForPoisonedKey))
			m.Ack()
		case <-ctx.Done():
			h.t.Fatalf("%d of %d dead letters after %s", len(reasons), n, timeout)
		}
	}
	return reasons
}
