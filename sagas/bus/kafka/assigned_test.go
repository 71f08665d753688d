package kafka_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/sagas/bus/kafka"
)

func TestWaitAssignedReturnsOnceEveryGroupHoldsEveryPartition(t *testing.T) {
	topicA, topicB := uniqueName("assigned-a"), uniqueName("assigned-b")
	if err := kafka.EnsureTopics(context.Background(), brokers, kafka.Security{}, map[string]int{topicA: 3, topicB: 2}, -1); err != nil {
		t.Fatal(err)
	}
	groupA, groupB := uniqueName("group"), uniqueName("group")
	subscribe(t, newSubscriber(t, groupA), topicA)
	subscribe(t, newSubscriber(t, groupB), topicB)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := kafka.WaitAssigned(ctx, brokers, kafka.Security{}, map[string]string{groupA: topicA, groupB: topicB}, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func TestWaitAssignedNamesTheGroupWithoutMembersWhenTheContextEnds(t *testing.T) {
	topic, idle := uniqueName("assigned-idle"), uniqueName("idle-group")
	if err := kafka.EnsureTopics(context.Background(), brokers, kafka.Security{}, map[string]int{topic: 1}, -1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := kafka.WaitAssigned(ctx, brokers, kafka.Security{}, map[string]string{idle: topic}, 20*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), idle) {
		t.Fatalf("err %v, want the deadline and the group %s named", err, idle)
	}
}
