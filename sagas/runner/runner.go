// Package runner runs the sagas on Kafka: one watermill handler per region
// topic (so a slow or failing region holds up only its own topic), the
// dead-letter route for messages that can never be processed, and the
// deadline sweeper that fails bookings whose region did not answer in time.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/fedhealth/federation/contracts"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// Advancer moves one saga as far as it can; booking.Saga and
// cancellation.Saga implement it. An error means "deliver again later".
type Advancer interface {
	Advance(ctx context.Context, sagaID string) error
}

// Sweeper fails bookings whose deadline passed and re-sends the commands
// of compensations and cancellations that stalled (booking.Saga).
type Sweeper interface {
	FailOverdue(ctx context.Context, limit int) (int, error)
	NudgeStalled(ctx context.Context, before time.Time, limit int) (int, error)
}

// Config wires the runner.
type Config struct {
	Regions []string // region codes to consume
	// Namespace prefixes every topic and consumer group name, so several
	// environments (or test runs) can share one Kafka cluster; "" in production.
	Namespace string
	Sagas     map[contracts.SagaKind]Advancer
	Sweeper   Sweeper
	// Subscriber returns a subscriber in the named consumer group.
	Subscriber func(consumerGroup string) (message.Subscriber, error)
	// DeadLetters receives poison messages on contracts.TopicDeadLetter.
	DeadLetters message.Publisher
	// MessageTimeout bounds one delivery's work; default 30s.
	MessageTimeout time.Duration
	// UnavailableBackoff is the pause before a command whose region is
	// unavailable goes back to Kafka; default 500ms.
	UnavailableBackoff time.Duration
	// SweepEvery is the deadline sweeper's period; default 1s.
	SweepEvery time.Duration
	// StallAfter: a release or cancellation unchanged for this long is sent
	// a new command; default 1 minute.
	StallAfter time.Duration
	// TracerProvider starts a consumer span per delivery, continuing the
	// trace carried in the message; nil means the otel global provider.
	TracerProvider trace.TracerProvider
	Logger         *slog.Logger
}

func (c *Config) setDefaults() {
	if c.MessageTimeout == 0 {
		c.MessageTimeout = 30 * time.Second
	}
	if c.UnavailableBackoff == 0 {
		c.UnavailableBackoff = 500 * time.Millisecond
	}
	if c.SweepEvery == 0 {
		c.SweepEvery = time.Second
	}
	if c.StallAfter == 0 {
		c.StallAfter = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.TracerProvider == nil {
		c.TracerProvider = otel.GetTracerProvider()
	}
}

// Validate reports a configuration the runner cannot run with.
func (c Config) Validate() error {
	if len(c.Sagas) == 0 || c.Subscriber == nil || c.DeadLetters == nil || c.Sweeper == nil {
		return errors.New("runner: Sagas, Sweeper, Subscriber and DeadLetters are required")
	}
	for _, r := range c.Regions {
		if !contracts.ValidRegionCode(r) {
			return fmt.Errorf("runner: region code %q malformed", r)
		}
	}
	return nil
}

// Runtime consumes the region topics. Create with New, start with Run.
type Runtime struct {
	cfg    Config
	router *message.Router
	tracer trace.Tracer
	subs   []message.Subscriber
}

// HandlerName and ConsumerGroup are part of the wire: the group holds the
// committed offsets, so renaming it re-consumes a region's whole topic.
func HandlerName(region string) string   { return "saga.r" + region }
func ConsumerGroup(region string) string { return "federation.saga.r" + region }

// New builds the router with one handler per region.
func New(cfg Config) (*Runtime, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// watermill's Info lines (handler added, started, stopped) are routine: Debug.
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 15 * time.Second}, watermill.NewSlogLoggerWithLevelMapping(cfg.Logger, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug}))
	if err != nil {
		return nil, err
	}
	poison, err := middleware.PoisonQueueWithFilter(cfg.DeadLetters, cfg.Namespace+contracts.TopicDeadLetter, permanent)
	if err != nil {
		return nil, err
	}
	// Order matters: the poison queue must see the Recoverer's panic error.
	router.AddMiddleware(poison, middleware.Recoverer, middleware.Timeout(cfg.MessageTimeout))
	rt := &Runtime{cfg: cfg, router: router, tracer: cfg.TracerProvider.Tracer("github.com/fedhealth/federation/sagas/runner")}
	for _, region := range cfg.Regions {
		sub, err := cfg.Subscriber(cfg.Namespace + ConsumerGroup(region))
		if err != nil {
			return nil, fmt.Errorf("runner: subscriber for region %s: %w", region, err)
		}
		rt.subs = append(rt.subs, sub)
		router.AddConsumerHandler(HandlerName(region), cfg.Namespace+contracts.RegionTopic(region), sub, rt.handle)
	}
	return rt, nil
}

// Run consumes until ctx ends, then closes the router (in-flight messages
// finish or go back to Kafka uncommitted) and the subscribers, so that
// their consumers leave their groups and the partitions move to another
// instance at once instead of after the session timeout.
func (rt *Runtime) Run(ctx context.Context) error {
	go rt.sweep(ctx)
	err := rt.router.Run(ctx)
	var wg sync.WaitGroup
	for _, sub := range rt.subs {
		wg.Go(func() {
			if cerr := sub.Close(); cerr != nil {
				rt.cfg.Logger.Warn("closing subscriber", "err", cerr)
			}
		})
	}
	wg.Wait()
	return err
}

// Running is closed once every handler consumes.
func (rt *Runtime) Running() chan struct{} { return rt.router.Running() }

// permanent selects the errors that redelivery cannot cure: they go to the
// dead-letter topic with the reason, and the partition moves on.
func permanent(err error) bool {
	var panicked middleware.RecoveredPanicError
	return errors.Is(err, contracts.ErrInvalid) || errors.Is(err, contracts.ErrNotFound) || errors.As(err, &panicked)
}
