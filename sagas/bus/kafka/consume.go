package kafka

import (
	"context"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// fetchErrorBackoff is the pause after a failed fetch, so a broker that is
// down is not hammered by a tight loop.
const fetchErrorBackoff = 500 * time.Millisecond

// consume hands r's messages to out one at a time until ctx ends.
func (s *Subscriber) consume(ctx context.Context, r *kafka.Reader, out chan<- *message.Message) {
	for {
		km, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.logger.Warn("kafka fetch", "topic", r.Config().Topic, "error", err)
			if !sleep(ctx, fetchErrorBackoff) {
				return
			}
			continue
		}
		if !s.deliver(ctx, km, out) {
			return
		}
		if r.Config().GroupID != "" {
			s.commit(ctx, r, km)
		}
	}
}

// deliver hands km to out until it is acked (true) or ctx ends (false). A
// Nack delivers it again, as a new watermill message, after
// NackResendSleep.
func (s *Subscriber) deliver(ctx context.Context, km kafka.Message, out chan<- *message.Message) bool {
	prop := propagatorOrGlobal(s.cfg.Propagator)
	for {
		msgCtx, cancel := context.WithCancel(ctx)
		msg := toWatermill(msgCtx, km, prop)
		acked, ok := waitAck(ctx, msg, out)
		cancel()
		if !ok {
			return false
		}
		if acked {
			return true
		}
		if !sleep(ctx, s.cfg.NackResendSleep) {
			return false
		}
	}
}

// waitAck sends msg and waits for the handler's answer; ok is false when
// ctx ended first.
func waitAck(ctx context.Context, msg *message.Message, out chan<- *message.Message) (acked, ok bool) {
	select {
	case out <- msg:
	case <-ctx.Done():
		return false, false
	}
	select {
	case <-msg.Acked():
		return true, true
	case <-msg.Nacked():
		return false, true
	case <-ctx.Done():
		return false, false
	}
}

// commit records km as done. A failed commit is logged, not retried: the
// message was handled, and at worst it is delivered once more after a
// rebalance or restart, which consumers tolerate.
func (s *Subscriber) commit(ctx context.Context, r *kafka.Reader, km kafka.Message) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CommitTimeout)
	defer cancel()
	if err := r.CommitMessages(ctx, km); err != nil {
		level := slog.LevelWarn
		if ctx.Err() != nil {
			level = slog.LevelDebug // closing: the reader's close still flushes handed-off commits
		}
		s.logger.Log(ctx, level, "kafka commit", "topic", km.Topic, "partition", km.Partition, "offset", km.Offset, "error", err)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
