package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/fedhealth/federation/sagas/bus/kafkaembed"
	"github.com/fedhealth/federation/sagas/runner"
	"github.com/google/uuid"
)

// ghostSaga refuses every saga as unknown, the way a saga answers a command
// for a booking its store does not hold: permanent, so dead-lettered.
type ghostSaga struct{ calls atomic.Int32 }

func (g *ghostSaga) Advance(_ context.Context, id string) error {
	g.calls.Add(1)
	return fmt.Errorf("booking %s: %w", id, contracts.ErrNotFound)
}

type idleSweeper struct{}

func (idleSweeper) FailOverdue(context.Context, int) (int, error)             { return 0, nil }
func (idleSweeper) NudgeStalled(context.Context, time.Time, int) (int, error) { return 0, nil }

// startRunner runs a runner for region 77 in its own namespace on brokers
// until the test ends.
func startRunner(t *testing.T, brokers []string, namespace string, saga runner.Advancer) {
	t.Helper()
	dlq, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: brokers}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := runner.New(runner.Config{
		Regions: []string{"77"}, Namespace: namespace, Sweeper: idleSweeper{}, DeadLetters: dlq,
		Sagas: map[contracts.SagaKind]runner.Advancer{contracts.SagaBooking: saga},
		Subscriber: func(group string) (message.Subscriber, error) {
			return kafka.NewSubscriber(kafka.SubscriberConfig{Brokers: brokers, ConsumerGroup: group}, nil)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rt.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		dlq.Close()
	})
	select {
	case <-rt.Running():
	case <-time.After(15 * time.Second):
		t.Fatal("runner did not start")
	}
}

// waitDeadLetters lists the dead-letter topic until it holds n letters.
func waitDeadLetters(t *testing.T, brokers []string, namespace string, n int) []runner.DeadLetter {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		letters, err := runner.ListDeadLetters(context.Background(), brokers, kafka.Security{}, namespace, 100, 500*time.Millisecond)
		if err == nil && len(letters) >= n {
			return letters
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead letters: %v %v, want %d", letters, err, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestAPoisonCommandCanBeListedAndSentBackToItsTopic(t *testing.T) {
	cluster, err := kafkaembed.Start(kafkaembed.Config{DefaultPartitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Close() })
	brokers, ns := cluster.Addrs(), "t"+uuid.NewString()[:8]+"."
	saga := &ghostSaga{}
	startRunner(t, brokers, ns, saga)

	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: brokers}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	cmd, _ := json.Marshal(contracts.SagaCommand{Version: contracts.MessageVersion, SagaID: "ghost", Kind: contracts.SagaBooking, Region: "77"})
	msg := message.NewMessage(uuid.NewString(), cmd)
	msg.Metadata.Set(kafka.KeyMetadata, "ghost")
	if err := pub.Publish(ns+contracts.RegionTopic("77"), msg); err != nil {
		t.Fatal(err)
	}

	d := waitDeadLetters(t, brokers, ns, 1)[0]
	if d.FromTopic != ns+contracts.RegionTopic("77") || d.Reason == "" || string(d.Payload) != string(cmd) || d.At.IsZero() {
		t.Errorf("dead letter %+v, want its origin, reason, payload and time", d)
	}
	if d.Metadata[kafka.KeyMetadata] != "ghost" {
		t.Errorf("dead letter metadata %v lost the partition key", d.Metadata)
	}

	got, err := runner.RetryDeadLetter(context.Background(), brokers, kafka.Security{}, ns, d.Partition, d.Offset)
	if err != nil || got.Offset != d.Offset {
		t.Fatalf("retry: %+v %v", got, err)
	}
	// Still a ghost: the saga sees it again and it is dead-lettered anew,
	// as a second letter, the first one kept.
	letters := waitDeadLetters(t, brokers, ns, 2)
	if saga.calls.Load() != 2 || len(letters) != 2 {
		t.Errorf("after the retry: %d deliveries and %d dead letters, want 2 and 2", saga.calls.Load(), len(letters))
	}

	_, err = runner.RetryDeadLetter(context.Background(), brokers, kafka.Security{}, ns, d.Partition, d.Offset+1000)
	if !errors.Is(err, runner.ErrNoSuchDeadLetter) {
		t.Errorf("retrying a position with no dead letter: %v, want ErrNoSuchDeadLetter", err)
	}
}

func TestListingANamespaceWithoutADeadLetterTopicNamesTheTopic(t *testing.T) {
	cluster, err := kafkaembed.Start(kafkaembed.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	letters, err := runner.ListDeadLetters(ctx, cluster.Addrs(), kafka.Security{}, "nowhere.", 10, time.Second)
	if err == nil || !strings.Contains(err.Error(), "nowhere."+contracts.TopicDeadLetter) || len(letters) != 0 {
		t.Errorf("got %v, %v; want an error naming the missing topic", letters, err)
	}
}
