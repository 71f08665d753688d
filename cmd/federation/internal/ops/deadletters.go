package ops

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

// DeadLetter is one message that could not be processed.
type DeadLetter struct {
	Partition int               `json:"partition"`
	Offset    int64             `json:"offset"`
	At        time.Time         `json:"at"`
	FromTopic string            `json:"from_topic"`
	Reason    string            `json:"reason"`
	Payload   []byte            `json:"payload"`
	Metadata  map[string]string `json:"metadata"`
}

// ListDeadLetters reads the dead-letter topic from its start, without a
// consumer group (so nothing is committed and the broker is not disturbed),
// until limit messages or until the topic stays quiet for idle.
// namespace is the Kafka namespace of the broker (see system.Options).
func ListDeadLetters(ctx context.Context, brokers []string, namespace string, limit int, idle time.Duration) ([]DeadLetter, error) {
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{Brokers: brokers, SkipTopicCreation: true}, nil)
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

// ErrNoSuchDeadLetter: no dead letter sits at the given position.
var ErrNoSuchDeadLetter = errors.New("no dead letter at that position")

// RetryDeadLetter republishes the dead letter at (partition, offset) to the
// topic it came from, without the poison markers. Consumers are idempotent,
// so a retry of something already processed changes nothing.
func RetryDeadLetter(ctx context.Context, brokers []string, namespace string, partition int, offset int64) (DeadLetter, error) {
	all, err := ListDeadLetters(ctx, brokers, namespace, 1<<20, 2*time.Second)
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
		return d, republish(brokers, d)
	}
	return DeadLetter{}, fmt.Errorf("%w: partition %d offset %d", ErrNoSuchDeadLetter, partition, offset)
}

func republish(brokers []string, d DeadLetter) error {
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: brokers}, nil)
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
	return pub.Publish(d.FromTopic, msg)
}
