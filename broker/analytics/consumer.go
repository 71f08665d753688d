package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/contracts"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
)

// GroupPrefix names the read model's consumer groups: GroupName adds the
// generation. It is part of the wire: renaming it re-reads the topic into
// tables that already count it (run a rebuild with it).
const GroupPrefix = "fed-analytics"

// GroupName is the consumer group of generation gen under prefix (a
// namespace + GroupPrefix): a rebuild's new generation is a group without
// committed offsets, so it reads the topic from its earliest retained
// offset.
func GroupName(prefix string, gen int64) string { return prefix + ".g" + strconv.FormatInt(gen, 10) }

// ConsumerConfig configures a Consumer.
type ConsumerConfig struct {
	Store *Store // required
	// Subscriber makes the subscriber of one consumer group; required. It
	// must start a group without committed offsets at the topic's earliest
	// offset. A subscriber with a Lag() int64 method reports the lag.
	Subscriber func(group string) (message.Subscriber, error)
	// Topic is the events topic with its namespace, default
	// contracts.TopicEvents; LeadTopic the lead times', default
	// contracts.TopicLeadTimes. Prefix is the groups' prefix; default
	// GroupPrefix.
	Topic, LeadTopic, Prefix string
	// PollGeneration is how often an idle consumer looks for a rebuild;
	// default 2s.
	PollGeneration time.Duration
	// Meter receives the consumer's metrics; nil means the otel global
	// provider. Logger nil means discard.
	Meter  metric.MeterProvider
	Logger *slog.Logger
}

// Consumer feeds the read model from the events topic and the lead times
// topic under consumer groups of its own, one generation at a time.
type Consumer struct {
	cfg      ConsumerConfig
	rejected metric.Int64Counter

	mu   sync.Mutex
	subs []message.Subscriber // the current generation's
}

// NewConsumer checks cfg and registers the consumer's metrics: the lag in
// events (analytics.consumer.lag), the age of the newest event applied
// (analytics.consumer.last_event_age) and the events refused as malformed.
func NewConsumer(cfg ConsumerConfig) (*Consumer, error) {
	if cfg.Store == nil || cfg.Subscriber == nil {
		return nil, errors.New("analytics: consumer needs Store and Subscriber")
	}
	if cfg.Topic == "" {
		cfg.Topic = contracts.TopicEvents
	}
	if cfg.LeadTopic == "" {
		cfg.LeadTopic = contracts.TopicLeadTimes
	}
	if cfg.Prefix == "" {
		cfg.Prefix = GroupPrefix
	}
	if cfg.PollGeneration <= 0 {
		cfg.PollGeneration = 2 * time.Second
	}
	if cfg.Meter == nil {
		cfg.Meter = otel.GetMeterProvider()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Consumer{cfg: cfg}
	if err := c.metrics(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Consumer) metrics() error {
	m := c.cfg.Meter.Meter("github.com/fedhealth/federation/broker/analytics")
	var err1, err2, err3 error
	c.rejected, err1 = m.Int64Counter("analytics.events.rejected",
		metric.WithDescription("Booking events the read model could not decode or validate (acked, counted nowhere)."))
	_, err2 = m.Int64ObservableGauge("analytics.consumer.lag",
		metric.WithDescription("Events of the events topic this instance's analytics consumer has not fetched."),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			if n := c.EventsBehind(); n >= 0 {
				o.Observe(n)
			}
			return nil
		}))
	_, err3 = m.Float64ObservableGauge("analytics.consumer.last_event_age",
		metric.WithDescription("Seconds since the newest event the read model applied was written."), metric.WithUnit("s"),
		metric.WithFloat64Callback(func(ctx context.Context, o metric.Float64Observer) error {
			if st, err := c.cfg.Store.State(ctx); err == nil && !st.LastEventAt.IsZero() {
				o.Observe(c.cfg.Store.now().Sub(st.LastEventAt).Seconds())
			}
			return nil
		}))
	return errors.Join(err1, err2, err3)
}

// EventsBehind is the current subscribers' lag, -1 when unknown.
func (c *Consumer) EventsBehind() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, known := int64(0), false
	for _, sub := range c.subs {
		if l, ok := sub.(interface{ Lag() int64 }); ok {
			n, known = n+l.Lag(), true
		}
	}
	if !known {
		return -1
	}
	return n
}

// Run consumes until ctx ends, moving to the next generation's group
// whenever a rebuild starts one; a store or subscription that fails is
// retried every PollGeneration. It returns nil.
func (c *Consumer) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		st, err := c.cfg.Store.State(ctx)
		if err != nil {
			c.cfg.Logger.Warn("analytics consumer: state unreadable; retrying", "err", err)
			if !sleep(ctx, c.cfg.PollGeneration) {
				break
			}
			continue
		}
		if err := c.runGeneration(ctx, st.Generation); err != nil {
			// Kafka not reachable yet: the figures wait, the broker goes on.
			c.cfg.Logger.Warn("analytics consumer: subscription failed; retrying", "err", err)
			if !sleep(ctx, c.cfg.PollGeneration) {
				break
			}
		}
	}
	return nil
}

// runGeneration consumes under generation's groups until ctx ends or the
// store's generation moves on.
func (c *Consumer) runGeneration(ctx context.Context, gen int64) error {
	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	group := GroupName(c.cfg.Prefix, gen)
	events, err := c.subscribe(genCtx, group, c.cfg.Topic)
	if err != nil {
		return err
	}
	leads, err := c.subscribe(genCtx, group+LeadTimesGroupSuffix, c.cfg.LeadTopic)
	if err != nil {
		return err
	}
	defer c.closeSubscribers()
	c.cfg.Logger.Info("analytics consumer started", "group", group)
	poll := time.NewTicker(c.cfg.PollGeneration)
	defer poll.Stop()
	for events != nil || leads != nil {
		var (
			msg  *message.Message
			ok   bool
			lead bool
		)
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
			if st, err := c.cfg.Store.State(ctx); err == nil && st.Generation != gen {
				return nil
			}
			continue
		case msg, ok = <-events:
			if !ok {
				events = nil
				continue
			}
		case msg, ok = <-leads:
			if !ok {
				leads = nil
				continue
			}
			lead = true
		}
		if c.handle(ctx, gen, msg, lead) {
			return nil
		}
	}
	return nil
}

// LeadTimesGroupSuffix follows the generation's group name in the group
// that reads contracts.TopicLeadTimes (a group of its own, so each group
// has one topic). Part of the wire, like GroupPrefix.
const LeadTimesGroupSuffix = ".leadtimes"

// subscribe starts a subscriber of group on topic and keeps it for the
// lag and for closing.
func (c *Consumer) subscribe(ctx context.Context, group, topic string) (<-chan *message.Message, error) {
	sub, err := c.cfg.Subscriber(group)
	if err != nil {
		return nil, fmt.Errorf("analytics: subscriber %s: %w", group, err)
	}
	c.mu.Lock()
	c.subs = append(c.subs, sub)
	c.mu.Unlock()
	msgs, err := sub.Subscribe(ctx, topic)
	if err != nil {
		c.closeSubscribers()
		return nil, fmt.Errorf("analytics: subscribe %s: %w", topic, err)
	}
	return msgs, nil
}

func (c *Consumer) closeSubscribers() {
	c.mu.Lock()
	subs := c.subs
	c.subs = nil
	c.mu.Unlock()
	for _, sub := range subs {
		_ = sub.Close()
	}
}

// handle applies one message, acking it unless the store could not take
// it (then it comes again); it reports a new generation.
func (c *Consumer) handle(ctx context.Context, gen int64, msg *message.Message, lead bool) (newGeneration bool) {
	var (
		id    string
		apply func() (bool, error)
		err   error
	)
	if lead {
		var l contracts.SlotLeadTime
		l, err = contracts.DecodeSlotLeadTime(msg.Payload)
		id, apply = l.EventID, func() (bool, error) { return c.cfg.Store.ApplyLeadTime(ctx, gen, l) }
	} else {
		var ev contracts.BookingEvent
		ev, err = contracts.DecodeBookingEvent(msg.Payload)
		id, apply = ev.EventID, func() (bool, error) { return c.cfg.Store.Apply(ctx, gen, ev) }
	}
	if err != nil {
		// Never countable, and still on the topic: a fixed reader can
		// rebuild from it.
		c.cfg.Logger.Warn("analytics: message refused", "message_uuid", msg.UUID, "err", err)
		c.rejected.Add(ctx, 1)
		msg.Ack()
		return false
	}
	_, err = apply()
	switch {
	case errors.Is(err, ErrGenerationChanged):
		msg.Nack()
		return true
	case err != nil:
		c.cfg.Logger.Warn("analytics: message not applied; it comes again", "event_id", id, "err", err)
		msg.Nack()
		return false
	}
	msg.Ack()
	return false
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
