package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/bus/kafka"
)

// OutboxSource is the store side of the transactional outbox.
type OutboxSource interface {
	// FetchOutbox returns up to limit of the oldest unpublished messages, in order.
	FetchOutbox(ctx context.Context, limit int) ([]sagas.OutboxRecord, error)
	// DeleteOutbox forgets messages that were published.
	DeleteOutbox(ctx context.Context, seqs []int64) error
	// OutboxSignal receives after a commit that wrote messages.
	OutboxSignal() <-chan struct{}
}

// Relay publishes what the sagas wrote to the outbox. It hand-rolls what
// watermill's forwarder does because the forwarder needs watermill-sql,
// which does not support SQLite. Delivery is at least once: a crash between
// publishing and deleting publishes the same messages (same UUIDs) again.
type Relay struct {
	src    OutboxSource
	pub    message.Publisher
	logger *slog.Logger
	// Batch is how many messages one round publishes; Poll is how long the
	// relay sleeps when no signal wakes it (a safety net, e.g. after errors).
	Batch int
	Poll  time.Duration
	// Namespace prefixes every topic published to (see runner.Config).
	Namespace string
	// First selects the topics published first in each round, before the
	// others (nil: all at once): those whose messages something waits on.
	First func(topic string) bool
	// Linger is how long a wake-up waits before fetching, so that the
	// records written meanwhile leave in the same produce requests; 0
	// fetches at once. For a stream nobody waits on (the audit trail's
	// copies): each produce request is a write and fsync per partition of
	// the embedded broker, in the one loop that also serves the sagas'
	// messages.
	Linger time.Duration
}

// NewRelay returns a relay from src to pub.
func NewRelay(src OutboxSource, pub message.Publisher, logger *slog.Logger) *Relay {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Relay{src: src, pub: pub, logger: logger, Batch: 256, Poll: 500 * time.Millisecond}
}

// Run publishes until ctx ends.
func (r *Relay) Run(ctx context.Context) error {
	for {
		n, err := r.Flush(ctx)
		if err != nil && ctx.Err() == nil {
			r.logger.Warn("outbox relay: publish failed; will retry", "err", err)
		}
		if err == nil && n == r.Batch {
			continue // more waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.src.OutboxSignal():
			if r.Linger > 0 {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(r.Linger):
				}
			}
		case <-time.After(r.Poll):
		}
	}
}

// Flush publishes one batch and returns how many messages it published.
func (r *Relay) Flush(ctx context.Context) (int, error) {
	recs, err := r.src.FetchOutbox(ctx, r.Batch)
	if err != nil || len(recs) == 0 {
		return 0, err
	}
	byTopic := map[string][]*message.Message{}
	var topics []string
	seqs := make([]int64, len(recs))
	for i, rec := range recs {
		msg := message.NewMessage(rec.ID, rec.Payload)
		for k, v := range rec.Metadata {
			msg.Metadata.Set(k, v)
		}
		msg.Metadata.Set(kafka.KeyMetadata, rec.Key)
		topic := r.Namespace + rec.Topic
		if _, ok := byTopic[topic]; !ok {
			topics = append(topics, topic)
		}
		byTopic[topic] = append(byTopic[topic], msg)
		seqs[i] = rec.Seq
	}
	// The first wave's topics go alone, the rest after them: the embedded
	// broker writes and fsyncs one produce request at a time, and a saga
	// command queued behind the events of the same round waited for
	// their fsyncs too.
	var first, rest []string
	for _, t := range topics {
		if r.First != nil && r.First(t) {
			first = append(first, t)
		} else {
			rest = append(rest, t)
		}
	}
	for _, wave := range [][]string{first, rest} {
		if err := r.publish(wave, byTopic); err != nil {
			return 0, err
		}
	}
	return len(recs), r.src.DeleteOutbox(ctx, seqs)
}

// publish publishes each topic's messages, the topics side by side: each
// Publish waits for the broker's acknowledgement, and one round's latency
// is what every booking in it waits. Order within a topic (and so per
// saga, whose messages share a key) is kept; rounds do not overlap.
func (r *Relay) publish(topics []string, byTopic map[string][]*message.Message) error {
	errs := make([]error, len(topics))
	var wg sync.WaitGroup
	for i, t := range topics {
		wg.Go(func() {
			if err := r.pub.Publish(t, byTopic[t]...); err != nil {
				errs[i] = fmt.Errorf("publish to %s: %w", t, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
