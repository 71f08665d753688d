package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/segmentio/kafka-go"
)

// EnsureTopics creates the topics that do not exist yet, with the given
// partition counts (-1 or 0: the broker's default) and replication factor
// (-1 or 0: the broker's default). Existing topics are left as they are, so
// calling it on every start is safe, also from several instances at once.
// It connects with sec (the zero value: plaintext).
func EnsureTopics(ctx context.Context, brokers []string, sec Security, topics map[string]int, replicationFactor int) error {
	transport := sec.transport()
	defer transport.CloseIdleConnections()
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport}
	return withRetry(ctx, func() error { return ensureTopics(ctx, c, topics, replicationFactor) })
}

// withRetry makes up to three attempts of an idempotent admin call: the
// first attempt after a broker restart can meet a connection the broker
// already closed.
func withRetry(ctx context.Context, call func() error) error {
	var err error
	for attempt := range 3 {
		if attempt > 0 && !sleep(ctx, time.Duration(attempt)*100*time.Millisecond) {
			return errors.Join(err, ctx.Err())
		}
		if err = call(); err == nil {
			return nil
		}
	}
	return err
}

func ensureTopics(ctx context.Context, c *kafka.Client, topics map[string]int, replicationFactor int) error {
	if len(topics) == 0 {
		return nil
	}
	req := &kafka.CreateTopicsRequest{}
	for name, partitions := range topics {
		req.Topics = append(req.Topics, kafka.TopicConfig{
			Topic:             name,
			NumPartitions:     orBrokerDefault(partitions),
			ReplicationFactor: orBrokerDefault(replicationFactor),
		})
	}
	resp, err := c.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("kafka create topics: %w", err)
	}
	var errs []error
	for name, err := range resp.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("kafka create topic %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func orBrokerDefault(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// partitionsOf returns the partition ids of topic, sorted.
func partitionsOf(ctx context.Context, c *kafka.Client, topic string) ([]int, error) {
	resp, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("kafka metadata of %s: %w", topic, err)
	}
	for _, t := range resp.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return nil, fmt.Errorf("kafka metadata of %s: %w", topic, t.Error)
		}
		ids := make([]int, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			ids = append(ids, p.ID)
		}
		sort.Ints(ids)
		return ids, nil
	}
	return nil, fmt.Errorf("kafka metadata of %s: %w", topic, kafka.UnknownTopicOrPartition)
}
