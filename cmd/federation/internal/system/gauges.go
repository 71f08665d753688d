package system

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/fedhealth/federation/sagas/runner"
	"github.com/fedhealth/federation/sagas/store"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// backlogs are the gauges an operator watches for work that piles up: the
// outbox not yet published, the bookings still pending, the messages of
// each region's topic this instance has not fetched, and a counter of the
// messages sent to the dead-letter topic. Store figures cover the whole
// store, so every instance on one database reports the same ones (take
// max, not sum); lag and dead letters are this instance's own (take sum).
type backlogs struct {
	namespace string
	regions   []string
	logger    *slog.Logger

	mu   sync.Mutex
	subs map[string]*kafka.Subscriber // by consumer group
}

func newBacklogs(namespace string, regions []string, logger *slog.Logger) *backlogs {
	return &backlogs{namespace: namespace, regions: regions, logger: logger, subs: map[string]*kafka.Subscriber{}}
}

// track remembers the subscriber of a consumer group, for its lag.
func (b *backlogs) track(group string, sub *kafka.Subscriber) {
	if sub == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.subs[group] = sub
}

func (b *backlogs) lag(region string) int64 {
	b.mu.Lock()
	sub := b.subs[b.namespace+runner.ConsumerGroup(region)]
	b.mu.Unlock()
	if sub == nil {
		return 0
	}
	return sub.Lag()
}

const meterName = "github.com/fedhealth/federation/cmd/federation/internal/system"

// scrapeTimeout bounds a scrape's store query: a slow database must not
// hang the scrape.
const scrapeTimeout = 2 * time.Second

// observe registers the gauges, read from st and the tracked subscribers
// at each scrape.
func (b *backlogs) observe(mp metric.MeterProvider, st *store.DB) error {
	m := mp.Meter(meterName)
	_, err1 := m.Int64ObservableGauge("outbox.backlog",
		metric.WithDescription("Messages in the outbox not yet published to Kafka (the whole store)."),
		metric.WithInt64Callback(b.outbox(st)))
	_, err2 := m.Int64ObservableGauge("bookings.pending",
		metric.WithDescription("Bookings not yet confirmed, rejected or failed, by region (the whole store)."),
		metric.WithInt64Callback(b.pending(st)))
	_, err3 := m.Int64ObservableGauge("kafka.consumer.lag",
		metric.WithDescription("Messages of the region's saga topic beyond what this instance's consumers have fetched (kafka-go's reader lag)."),
		metric.WithInt64Callback(b.lags))
	return errors.Join(err1, err2, err3)
}

// The callbacks log a failed query and observe nothing: an error returned
// to the SDK would go to otel's global error handler, outside our logs.

func (b *backlogs) outbox(st *store.DB) metric.Int64Callback {
	return func(ctx context.Context, o metric.Int64Observer) error {
		ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
		defer cancel()
		n, err := st.OutboxBacklog(ctx)
		if err != nil {
			b.logger.Debug("outbox backlog not counted", "err", err)
			return nil
		}
		o.Observe(n)
		return nil
	}
}

func (b *backlogs) pending(st *store.DB) metric.Int64Callback {
	return func(ctx context.Context, o metric.Int64Observer) error {
		ctx, cancel := context.WithTimeout(ctx, scrapeTimeout)
		defer cancel()
		pending, err := st.PendingByRegion(ctx)
		if err != nil {
			b.logger.Debug("pending bookings not counted", "err", err)
			return nil
		}
		for _, r := range b.regions {
			o.Observe(pending[r], metric.WithAttributes(attribute.String("region", r)))
		}
		return nil
	}
}

func (b *backlogs) lags(_ context.Context, o metric.Int64Observer) error {
	for _, r := range b.regions {
		o.Observe(b.lag(r), metric.WithAttributes(attribute.String("region", r)))
	}
	return nil
}

// countDeadLetters counts, by region, the messages the saga runner sends
// to the dead-letter topic through pub; every region starts at 0 so the
// series exist before the first dead letter.
func (b *backlogs) countDeadLetters(mp metric.MeterProvider, pub message.Publisher) (message.Publisher, error) {
	m := mp.Meter(meterName)
	c, err := m.Int64Counter("dead_letters",
		metric.WithDescription("Saga messages sent to the dead-letter topic, by region (see federation dlq list)."))
	if err != nil {
		return nil, err
	}
	byTopic := map[string]string{}
	for _, r := range b.regions {
		byTopic[b.namespace+contracts.RegionTopic(r)] = r
		c.Add(context.Background(), 0, metric.WithAttributes(attribute.String("region", r)))
	}
	return deadLetterCounter{Publisher: pub, counter: c, region: byTopic}, nil
}

type deadLetterCounter struct {
	message.Publisher
	counter metric.Int64Counter
	region  map[string]string // by the topic a message came from
}

func (d deadLetterCounter) Publish(topic string, msgs ...*message.Message) error {
	if err := d.Publisher.Publish(topic, msgs...); err != nil {
		return err
	}
	for _, m := range msgs {
		region, ok := d.region[m.Metadata.Get(middleware.PoisonedTopicKey)]
		if !ok {
			region = "unknown"
		}
		d.counter.Add(m.Context(), 1, metric.WithAttributes(attribute.String("region", region)))
	}
	return nil
}
