package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/segmentio/kafka-go"
)

// ErrSubscriberClosed is returned by Subscribe after Close.
var ErrSubscriberClosed = errors.New("kafka subscriber: closed")

// Subscriber consumes Kafka topics as watermill message channels. Each
// reader hands out one message at a time and waits for its Ack or Nack:
// Ack commits the offset (with a consumer group), Nack delivers the same
// message again after NackResendSleep. It is safe for concurrent use.
type Subscriber struct {
	cfg    SubscriberConfig
	logger *slog.Logger
	admin  *kafka.Client

	closing   chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	closed    bool
	running   sync.WaitGroup // subscriptions whose channel is open
	leaving   sync.WaitGroup // readers being closed
	readers   readerSet      // open readers, for Lag
}

var (
	_ message.Subscriber           = (*Subscriber)(nil)
	_ message.SubscribeInitializer = (*Subscriber)(nil)
)

// NewSubscriber returns a subscriber; it connects on Subscribe, so it starts
// instantly.
func NewSubscriber(cfg SubscriberConfig, logger *slog.Logger) (*Subscriber, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// An own transport, not kafka-go's shared default one, so that Close
	// can drop its connections.
	transport := &kafka.Transport{}
	if cfg.Dialer != nil {
		transport.TLS, transport.SASL = cfg.Dialer.TLS, cfg.Dialer.SASLMechanism
	}
	admin := &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Timeout: 10 * time.Second, Transport: transport}
	return &Subscriber{cfg: cfg, logger: logger, admin: admin, closing: make(chan struct{})}, nil
}

// SubscribeInitialize creates topic when it is missing (unless
// SkipTopicCreation is set).
func (s *Subscriber) SubscribeInitialize(topic string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.ensureTopic(ctx, topic)
}

func (s *Subscriber) ensureTopic(ctx context.Context, topic string) error {
	if s.cfg.SkipTopicCreation {
		return nil
	}
	return withRetry(ctx, func() error {
		return ensureTopics(ctx, s.admin, map[string]int{topic: s.cfg.TopicPartitions}, 0)
	})
}

// Subscribe starts reading topic. The channel is closed when ctx is
// cancelled or the subscriber is closed; a message handed out but not acked
// by then is not committed and comes again to the next subscriber. The
// context of each message carries ctx's values, the publisher's trace
// context and its [Position], and is cancelled once the message is acked,
// nacked or the subscription ends.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrSubscriberClosed
	}
	s.running.Add(1)
	s.mu.Unlock()

	readers, err := s.newReaders(ctx, topic)
	if err != nil {
		s.running.Done()
		return nil, err
	}
	s.readers.add(readers)
	out := make(chan *message.Message)
	subCtx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-s.closing:
		case <-subCtx.Done():
		}
		cancel()
	}()
	var wg sync.WaitGroup
	for _, r := range readers {
		wg.Go(func() {
			if s.cfg.ConsumerGroup != "" && s.cfg.MaxInFlight > 1 {
				s.consumeConcurrently(subCtx, r, out)
				return
			}
			s.consume(subCtx, r, out)
		})
	}
	go func() {
		wg.Wait()
		cancel()
		close(out)
		for _, r := range readers {
			s.leaving.Go(func() { s.closeReader(r) })
		}
		s.running.Done()
	}()
	return out, nil
}

// Close ends every subscription and returns once their channels are
// closed and the readers left their groups, or after ReaderCloseWait.
// Closing twice is harmless.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.closeOnce.Do(func() { close(s.closing) })
	s.running.Wait()
	left := make(chan struct{})
	go func() {
		s.leaving.Wait()
		close(left)
	}()
	select {
	case <-left:
	case <-time.After(s.cfg.ReaderCloseWait):
		s.logger.Debug("kafka subscriber close: readers still leaving their groups", "waited", s.cfg.ReaderCloseWait)
	}
	s.admin.Transport.(*kafka.Transport).CloseIdleConnections()
	return nil
}

// closeReader closes r, which flushes commits already handed to it and
// leaves its group. kafka-go cannot abort a join in flight, so this can
// take up to the rebalance timeout; it runs in the background so that
// closing a subscription stays prompt.
func (s *Subscriber) closeReader(r *kafka.Reader) {
	s.readers.remove(r)
	if err := r.Close(); err != nil {
		s.logger.Warn("kafka reader close", "topic", r.Config().Topic, "error", err)
	}
}

func (s *Subscriber) newReaders(ctx context.Context, topic string) ([]*kafka.Reader, error) {
	if err := s.ensureTopic(ctx, topic); err != nil {
		return nil, fmt.Errorf("kafka subscribe %s: %w", topic, err)
	}
	if s.cfg.ConsumerGroup != "" {
		readers := make([]*kafka.Reader, s.cfg.Consumers)
		for i := range readers {
			readers[i] = kafka.NewReader(s.readerConfig(topic, -1))
		}
		return readers, nil
	}
	var partitions []int
	err := withRetry(ctx, func() (err error) {
		partitions, err = partitionsOf(ctx, s.admin, topic)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("kafka subscribe %s: %w", topic, err)
	}
	readers := make([]*kafka.Reader, len(partitions))
	for i, p := range partitions {
		readers[i] = kafka.NewReader(s.readerConfig(topic, p))
	}
	return readers, nil
}

// readerConfig describes a group member, or with partition >= 0 a reader of
// that one partition without a group.
func (s *Subscriber) readerConfig(topic string, partition int) kafka.ReaderConfig {
	c := s.cfg
	rc := kafka.ReaderConfig{
		Brokers:          c.Brokers,
		Topic:            topic,
		Dialer:           c.Dialer,
		MinBytes:         1,
		MaxBytes:         10 << 20,
		MaxWait:          c.MaxWait,
		ReadBatchTimeout: c.ReadBatchTimeout,
		StartOffset:      c.StartOffset,
		ReadLagInterval:  -1,
		ErrorLogger:      kafka.LoggerFunc(errorLogger(s.logger, "kafka reader "+topic)),
	}
	if partition >= 0 {
		rc.Partition = partition
		return rc
	}
	rc.GroupID = c.ConsumerGroup
	rc.SessionTimeout = c.SessionTimeout
	rc.RebalanceTimeout = c.RebalanceTimeout
	rc.HeartbeatInterval = c.HeartbeatInterval
	rc.JoinGroupBackoff = c.JoinGroupBackoff
	rc.WatchPartitionChanges = true
	rc.CommitInterval = c.CommitInterval // 0: synchronous, the commit is done before the next message
	return rc
}
