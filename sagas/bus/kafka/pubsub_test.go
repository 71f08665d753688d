package kafka_test

import (
	"fmt"
	"hash/fnv"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"github.com/fedhealth/federation/sagas/bus/kafka"
)

func newPubSub(t *testing.T, group string) (message.Publisher, message.Subscriber) {
	t.Helper()
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: brokers}, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{
		Brokers:          brokers,
		ConsumerGroup:    group,
		SessionTimeout:   6 * time.Second, // real Kafka's minimum
		RebalanceTimeout: 6 * time.Second,
		// TestContinueAfterErrors nacks 300 times in a row.
		NackResendSleep: 10 * time.Millisecond,
	}, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	return pub, sub
}

// groupOf names one consumer group per suite scenario: the suite's plain
// constructor is called several times in a scenario and expects those
// subscribers to share their offsets, while scenarios running in parallel
// must not rebalance each other.
func groupOf(t *testing.T) string {
	h := fnv.New64a()
	h.Write([]byte(t.Name()))
	return fmt.Sprintf("test-%x", h.Sum64())
}

// TestUniversalSuiteWithConsumerGroups runs watermill's conformance suite.
// TestConcurrentClose and TestSubscribeCtx take about 6s each: a member that
// is closed while its join is in flight does not leave the group (kafka-go
// cannot abort the join), so the next rebalance waits for its rebalance
// timeout. Close itself stays prompt (see SubscriberConfig.ReaderCloseWait).
func TestUniversalSuiteWithConsumerGroups(t *testing.T) {
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups: true,
			// At least once: an acked message whose commit was lost to a
			// rebalance or close comes again.
			ExactlyOnceDelivery: false,
			// Order holds per key (partition); the suite's messages have
			// distinct keys spread over several partitions.
			GuaranteedOrder: false,
			Persistent:      true,
			// A new subscriber of the same group continues after the
			// group's committed offsets.
			NewSubscriberReceivesOldMessages: false,
			// Context values do not travel; trace context does (see
			// TestTraceContextTravelsWithTheMessage).
			ContextPreserved: false,
			// Restarting the embedded broker is not a command.
			RestartServiceCommand: nil,
			// -short runs the suite's small message counts.
			ForceShort: testing.Short(),
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) { return newPubSub(t, groupOf(t)) },
		newPubSub,
	)
}

func TestUniversalSuiteWithoutConsumerGroup(t *testing.T) {
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups:                   false,
			ExactlyOnceDelivery:              false,
			GuaranteedOrder:                  false,
			Persistent:                       true,
			NewSubscriberReceivesOldMessages: true,
			ForceShort:                       testing.Short(),
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) { return newPubSub(t, "") },
		nil,
	)
}

// keyedByPayload keys each message by its payload, as the suite's ordered
// scenarios group messages by payload; order holds per key.
type keyedByPayload struct{ message.Publisher }

func (p keyedByPayload) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		m.Metadata.Set(kafka.KeyMetadata, string(m.Payload))
	}
	return p.Publisher.Publish(topic, msgs...)
}

func TestUniversalSuiteOrderedByKey(t *testing.T) {
	keyed := func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
		pub, sub := newPubSub(t, group)
		return keyedByPayload{pub}, sub
	}
	tests.TestPubSub(t,
		tests.Features{
			ConsumerGroups: true,
			// Messages with one key stay in one partition, which one group
			// member works at a time, one message at a time. A rebalance
			// can deliver a message again after later ones; the suite
			// deduplicates, as our consumers do.
			GuaranteedOrder: true,
			Persistent:      true,
			ForceShort:      testing.Short(),
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) { return keyed(t, groupOf(t)) },
		keyed,
	)
}
