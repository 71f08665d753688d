package drill

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// replay delivers every message of topic a second time: it reads each
// partition from its first offset up to the end it had when replay began
// (so the copies it writes are not read again) and writes each message back
// with its key, headers and watermill UUID, exactly as at-least-once
// delivery would present it. It returns how many messages it replayed.
func replay(ctx context.Context, brokers []string, topic string) (int, error) {
	ranges, err := partitionRanges(ctx, brokers, topic)
	if err != nil {
		return 0, err
	}
	var msgs []kafka.Message
	for p, r := range ranges {
		got, err := readRange(ctx, brokers, topic, p, r[0], r[1])
		if err != nil {
			return 0, err
		}
		msgs = append(msgs, got...)
	}
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll,
		BatchTimeout: 5 * time.Millisecond}
	defer w.Close()
	for i := range msgs {
		msgs[i] = kafka.Message{Topic: topic, Key: msgs[i].Key, Value: msgs[i].Value, Headers: msgs[i].Headers}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		return 0, fmt.Errorf("replay %s: write: %w", topic, err)
	}
	return len(msgs), nil
}

// partitionRanges returns each partition's [first, end) offsets.
func partitionRanges(ctx context.Context, brokers []string, topic string) (map[int][2]int64, error) {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	meta, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil || len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return nil, fmt.Errorf("replay %s: metadata: %v", topic, err)
	}
	var reqs []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
	}
	offs, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("replay %s: offsets: %w", topic, err)
	}
	out := map[int][2]int64{}
	for _, po := range offs.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("replay %s: offsets of partition %d: %w", topic, po.Partition, po.Error)
		}
		out[po.Partition] = [2]int64{po.FirstOffset, po.LastOffset}
	}
	return out, nil
}

// readRange reads partition p of topic from first up to (not including) end.
func readRange(ctx context.Context, brokers []string, topic string, p int, first, end int64) ([]kafka.Message, error) {
	if end <= first {
		return nil, nil
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(first); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var out []kafka.Message
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return nil, fmt.Errorf("replay %s/%d: read: %w", topic, p, err)
		}
		if m.Offset >= end {
			return out, nil
		}
		out = append(out, m)
		if m.Offset == end-1 {
			return out, nil
		}
	}
}
