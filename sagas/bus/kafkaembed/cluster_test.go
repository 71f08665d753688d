package kafkaembed_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/fedhealth/federation/sagas/bus/kafkaembed"
)

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		name    string
		cfg     kafkaembed.Config
		wantErr bool
	}{
		{"an empty config starts on a free loopback port", kafkaembed.Config{}, false},
		{"a listen address without a port is refused", kafkaembed.Config{Listen: "127.0.0.1"}, true},
		{"a negative partition count is refused", kafkaembed.Config{DefaultPartitions: -1}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := kafkaembed.Start(tc.cfg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if err == nil {
				if len(c.Addrs()) != 1 {
					t.Errorf("addrs %v, want one", c.Addrs())
				}
				_ = c.Close()
			}
		})
	}
}

// TestRestartWithDataDirKeepsMessagesAndOffsets restarts the broker on the
// same port and data directory: the group continues after its committed
// offset, so the acked message is not delivered again and the other is.
func TestRestartWithDataDirKeepsMessagesAndOffsets(t *testing.T) {
	cfg := kafkaembed.Config{Listen: freeAddr(t), DataDir: t.TempDir()}
	topic, group := "bookings", "booking-saga"
	first, second := newMsg("1"), newMsg("2")

	c := start(t, cfg)
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: c.Addrs()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish(topic, first, second); err != nil {
		t.Fatal(err)
	}
	_ = pub.Close()
	sub := newSubscriber(t, c.Addrs(), group)
	ch := subscribe(t, sub, topic)
	receive(t, ch).Ack()
	receive(t, ch) // not acked
	_ = sub.Close()
	_ = c.Close()

	c = start(t, cfg)
	got := receive(t, subscribe(t, newSubscriber(t, c.Addrs(), group), topic))
	if got.UUID != second.UUID {
		t.Fatalf("after restart got %s (payload %s), want the unacked %s", got.UUID, got.Payload, second.UUID)
	}
}

func newMsg(payload string) *message.Message {
	m := message.NewMessage(watermill.NewUUID(), []byte(payload))
	m.Metadata.Set(kafka.KeyMetadata, "one-partition")
	return m
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func start(t *testing.T, cfg kafkaembed.Config) *kafkaembed.Cluster {
	t.Helper()
	c, err := kafkaembed.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func newSubscriber(t *testing.T, brokers []string, group string) *kafka.Subscriber {
	t.Helper()
	sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{Brokers: brokers, ConsumerGroup: group}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

func subscribe(t *testing.T, sub *kafka.Subscriber, topic string) <-chan *message.Message {
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
	case m := <-ch:
		return m
	case <-time.After(15 * time.Second):
		t.Fatal("no message within 15s")
		return nil
	}
}
