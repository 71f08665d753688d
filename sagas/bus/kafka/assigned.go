package kafka

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
)

// WaitAssigned returns once every group in groups (group id → the topic it
// consumes) has every partition of its topic assigned to a member, as the
// group coordinator reports it (DescribeGroups), polling every poll. It is
// the signal that consumers really run: a reader that exists but has not
// joined, or a group still rebalancing, has no assignment yet. The error
// names the groups still unassigned when ctx ends. It connects with sec
// (the zero value: plaintext).
func WaitAssigned(ctx context.Context, brokers []string, sec Security, groups map[string]string, poll time.Duration) error {
	transport := sec.transport()
	defer transport.CloseIdleConnections()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport, Timeout: 10 * time.Second}
	partitions := map[string]int{} // topic → partition count
	for _, topic := range groups {
		if _, ok := partitions[topic]; ok {
			continue
		}
		var ids []int
		err := withRetry(ctx, func() (err error) {
			ids, err = partitionsOf(ctx, c, topic)
			return err
		})
		if err != nil {
			return err
		}
		partitions[topic] = len(ids)
	}
	pending := make([]string, 0, len(groups))
	for g := range groups {
		pending = append(pending, g)
	}
	slices.Sort(pending)
	for {
		resp, err := c.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: pending})
		if err == nil {
			pending = slices.DeleteFunc(pending, func(g string) bool {
				return assigned(resp, g, groups[g]) >= partitions[groups[g]]
			})
			if len(pending) == 0 {
				return nil
			}
		}
		if !sleep(ctx, poll) {
			return fmt.Errorf("kafka: %d consumer groups without all partitions assigned (first: %s): %w", len(pending), pending[0], ctx.Err())
		}
	}
}

// assigned counts the partitions of topic that group's members hold in a
// stable group (a rebalancing group's assignments are the old ones).
func assigned(resp *kafka.DescribeGroupsResponse, group, topic string) int {
	for _, g := range resp.Groups {
		if g.GroupID != group || g.Error != nil || g.GroupState != "Stable" {
			continue
		}
		n := 0
		for _, m := range g.Members {
			for _, t := range m.MemberAssignments.Topics {
				if t.Topic == topic {
					n += len(t.Partitions)
				}
			}
		}
		return n
	}
	return 0
}
