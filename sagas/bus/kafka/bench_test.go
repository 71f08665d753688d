package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/fedhealth/federation/sagas/bus/kafka"
)

// BenchmarkPublishConsume measures the round trip of single-message
// synchronous publishes through the broker to an acking, committing group
// consumer, the shape of one saga step.
func BenchmarkPublishConsume(b *testing.B) {
	topic, group := uniqueName("bench"), uniqueName("group")
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: brokers}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer pub.Close()
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{Brokers: brokers, ConsumerGroup: group, Consumers: 4}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	msgs, err := sub.Subscribe(context.Background(), topic)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	go publishN(b, pub, topic, b.N, 8)
	for i := 0; i < b.N; i++ {
		select {
		case m := <-msgs:
			m.Ack()
		case <-time.After(30 * time.Second):
			b.Fatalf("received %d of %d", i, b.N)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// publishN publishes n messages from the given number of goroutines, one
// message per Publish call, as concurrent saga steps would.
func publishN(b *testing.B, pub message.Publisher, topic string, n, publishers int) {
	work := make(chan struct{})
	for range publishers {
		go func() {
			for range work {
				if err := pub.Publish(topic, message.NewMessage(watermill.NewUUID(), []byte("x"))); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for range n {
		work <- struct{}{}
	}
	close(work)
}
