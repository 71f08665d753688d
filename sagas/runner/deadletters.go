package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/google/uuid"
)

// The operators' side of the poison route that New sets up: reading the
// dead-letter topic and sending one dead letter back. Unlike the runner,
// which takes any watermill subscriber, this talks to Kafka itself, because
// an operator names a dead letter by its Kafka partition and offset.

// DeadLetter is one message the poison route set aside, where it sits in
// the dead-letter topic, and why.
type DeadLetter struct {
	Partition int       `json:"partition"`
	Offset    int64     `json:"offset"`
	At        time.Time `json:"at"` // when it was dead-lettered
	// FromTopic is the topic the message was consumed from, namespace
	// included; Reason the error that made it permanent.
	FromTopic string            `json:"from_topic"`
	Reason    string            `json:"reason"`
	Payload   []byte            `json:"payload"`
	Metadata  map[string]string `json:"metadata"`
}

// ErrNoSuchDeadLetter: no dead letter sits at the given position.
var ErrNoSuchDeadLetter = errors.New("no dead letter at that position")

// ListDeadLetters reads the dead-letter topic of namespace (see
// Config.Namespace) from its start, without a consumer group, so nothing
// is committed and the running broker is not disturbed. It stops after
// limit messages, or once no message has come for idle; on a cancelled ctx
// it returns what it read with ctx's error. A missing topic is an error
// naming it: the broker creates it at start-up, so the namespace or the
// brokers are wrong.
func ListDeadLetters(ctx context.Context, brokers []string, sec kafka.Security, namespace string, limit int, idle time.Duration) ([]DeadLetter, error) {
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{Brokers: brokers, Security: sec, SkipTopicCreation: true}, nil)
	if err != nil {
		return nil, err
	}
	defer sub.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	topic := namespace + contracts.TopicDeadLetter
	msgs, err := sub.Subscribe(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", topic, err)
	}
	var out []DeadLetter
	for len(out) < limit {
		select {
		case m, ok := <-msgs:
			if !ok {
				return out, nil
			}
			out = append(out, toDeadLetter(m))
			m.Ack()
		case <-time.After(idle):
			return out, nil
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
	return out, nil
}

func toDeadLetter(m *message.Message) DeadLetter {
	d := DeadLetter{Payload: m.Payload, Metadata: map[string]string(m.Metadata),
		FromTopic: m.Metadata.Get(middleware.PoisonedTopicKey), Reason: m.Metadata.Get(middleware.ReasonForPoisonedKey)}
	if p, ok := kafka.PositionFromContext(m.Context()); ok {
		d.Partition, d.Offset, d.At = p.Partition, p.Offset, p.Time
	}
	return d
}

// RetryDeadLetter republishes the dead letter at (partition, offset) to the
// topic it came from, with its metadata (partition key, correlation id,
// trace) but without the poison markers, under a new message id: the
// dead-letter topic keeps the original. The saga handlers tolerate
// duplicates, so retrying a command whose saga has moved on changes
// nothing; a message that is still poison comes back to the dead-letter
// topic as a new dead letter.
func RetryDeadLetter(ctx context.Context, brokers []string, sec kafka.Security, namespace string, partition int, offset int64) (DeadLetter, error) {
	all, err := ListDeadLetters(ctx, brokers, sec, namespace, 1<<20, 2*time.Second)
	if err != nil {
		return DeadLetter{}, err
	}
	for _, d := range all {
		if d.Partition != partition || d.Offset != offset {
			continue
		}
		if d.FromTopic == "" {
			return d, fmt.Errorf("dead letter %d/%d does not say where it came from", partition, offset)
		}
		return d, republish(brokers, sec, d)
	}
	return DeadLetter{}, fmt.Errorf("%w: partition %d offset %d", ErrNoSuchDeadLetter, partition, offset)
}

func republish(brokers []string, sec kafka.Security, d DeadLetter) error {
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: brokers, Security: sec}, nil)
	if err != nil {
		return err
	}
	defer pub.Close()
	msg := message.NewMessage(uuid.NewString(), d.Payload)
	for k, v := range d.Metadata {
		switch k {
		case middleware.ReasonForPoisonedKey, middleware.PoisonedTopicKey, middleware.PoisonedHandlerKey, middleware.PoisonedSubscriberKey:
		default:
			msg.Metadata.Set(k, v)
		}
	}
	if err := pub.Publish(d.FromTopic, msg); err != nil {
		return fmt.Errorf("republish %d/%d to %s: %w", d.Partition, d.Offset, d.FromTopic, err)
	}
	return nil
}
