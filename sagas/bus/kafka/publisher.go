package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// ErrPublisherClosed is returned by Publish after Close.
var ErrPublisherClosed = errors.New("kafka publisher: closed")

// Publisher publishes watermill messages to Kafka synchronously: Publish
// returns after all in-sync replicas acknowledged every message. It is safe
// for concurrent use.
type Publisher struct {
	cfg    PublisherConfig
	w      *kafka.Writer
	logger *slog.Logger

	mu     sync.RWMutex
	closed bool
}

var _ message.Publisher = (*Publisher)(nil)

// NewPublisher returns a publisher; it does not connect until the first
// Publish, so it starts instantly.
func NewPublisher(cfg PublisherConfig, logger *slog.Logger) (*Publisher, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	transport := cfg.Transport
	if transport == nil {
		// An own transport, not kafka-go's shared default one, so that
		// Close drops its connections.
		transport = cfg.Security.transport()
	}
	w := &kafka.Writer{
		Addr:                   kafka.TCP(cfg.Brokers...),
		Balancer:               &kafka.Hash{},
		RequiredAcks:           kafka.RequireAll,
		BatchTimeout:           cfg.BatchTimeout,
		BatchSize:              cfg.BatchSize,
		WriteTimeout:           cfg.WriteTimeout,
		AllowAutoTopicCreation: true,
		Transport:              transport,
		ErrorLogger:            kafka.LoggerFunc(errorLogger(logger, "kafka writer")),
	}
	return &Publisher{cfg: cfg, w: w, logger: logger}, nil
}

// Publish writes msgs to topic in one call to the writer. Messages with the
// same key (see [KeyMetadata]) keep their order. On error some of the
// messages may have been written; publishing again is safe for consumers
// that deduplicate by UUID.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrPublisherClosed
	}
	if len(msgs) == 0 {
		return nil
	}
	prop := propagatorOrGlobal(p.cfg.Propagator)
	kms := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		kms[i] = toKafka(topic, m, prop)
	}
	if err := p.write(kms); err != nil {
		return fmt.Errorf("kafka publish %d messages to %s: %w", len(msgs), topic, err)
	}
	return nil
}

// Close waits for running Publish calls and closes the writer. Closing twice
// is harmless.
func (p *Publisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	err := p.w.Close()
	if t, ok := p.w.Transport.(*kafka.Transport); ok && p.cfg.Transport == nil {
		t.CloseIdleConnections()
	}
	if err != nil {
		return fmt.Errorf("kafka publisher close: %w", err)
	}
	return nil
}

// errorLogger adapts kafka-go's printf-style error logging to slog. A
// group rebalancing is routine (members join at start, leave at stop), so
// it is logged at Debug, not as a warning an operator must act on.
func errorLogger(l *slog.Logger, component string) func(string, ...any) {
	return func(format string, args ...any) {
		level := slog.LevelWarn
		if routine(format, args) {
			level = slog.LevelDebug
		}
		if l.Enabled(context.Background(), level) {
			l.Log(context.Background(), level, component+": "+fmt.Sprintf(format, args...))
		}
	}
}

// routine reports a kafka-go error line that only says the group is
// rebalancing: a member joined or left, and the others rejoin.
func routine(format string, args []any) bool {
	for _, a := range args {
		if err, ok := a.(error); ok && errors.Is(err, kafka.RebalanceInProgress) {
			return true
		}
	}
	return strings.Contains(fmt.Sprintf(format, args...), "Rebalance In Progress")
}

// write retries while the topic is still being created: Kafka 4 answers the
// metadata request that auto-creates a topic with UNKNOWN_TOPIC_OR_PARTITION,
// and in a cluster a broker learns of a topic created through another one a
// few milliseconds later; kafka-go's Writer returns that error at once,
// before writing anything, so writing again cannot duplicate.
func (p *Publisher) write(kms []kafka.Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.WriteTimeout)
	defer cancel()
	backoff := 10 * time.Millisecond
	for {
		err := p.w.WriteMessages(ctx, kms...)
		if err == nil || !topicPending(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 250*time.Millisecond)
	}
}

// topicPending reports the errors of a topic that exists or is being
// created but is not yet known to the broker asked.
func topicPending(err error) bool {
	return errors.Is(err, kafka.UnknownTopicOrPartition) || errors.Is(err, kafka.LeaderNotAvailable)
}
