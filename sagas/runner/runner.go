// Package runner runs the sagas on Kafka: one watermill handler per region
// topic (so a slow or failing region holds up only its own topic), the
// handler of the clinics' changes (contracts.TopicClinic, applied by
// sagas/clinic), the dead-letter route for messages that can never be
// processed, and the deadline sweeper that fails bookings whose region did
// not answer in time (and retries parked clinic changes).
//
// What becomes of a command derives from the kind of its error
// (contracts.KindOf): a permanent one (invalid, not found, or a panic) goes
// to the dead-letter topic; an unavailable region or a command this
// instance does not support (a newer version, saga kind or field, written
// by a newer instance during a rolling deploy) goes back to Kafka after a
// pause, counted in federation.saga.messages.deferred; anything else goes
// back at once.
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
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Advancer moves one saga as far as it can; booking.Saga,
// cancellation.Saga and reschedule.Saga implement it, one per
// contracts.SagaKind in Config.Sagas (a command of a kind this instance
// has no saga for waits for one that has). An error means "deliver again later",
// unless it is Permanent.
type Advancer interface {
	Advance(ctx context.Context, sagaID string) error
}

// Sweeper fails bookings whose deadline passed and re-sends the commands
// of compensations, cancellations and reschedules that stalled
// (booking.Saga).
type Sweeper interface {
	FailOverdue(ctx context.Context, limit int) (int, error)
	NudgeStalled(ctx context.Context, before time.Time, limit int) (int, error)
}

// ClinicApplier applies clinic events (clinic.Applier): Apply's error is
// settled like a saga step's; RetryUnmatched runs on the sweeper's period.
type ClinicApplier interface {
	Apply(ctx context.Context, payload []byte) error
	RetryUnmatched(ctx context.Context, limit int) (int, error)
}

// Config wires the runner.
type Config struct {
	Regions []string // region codes to consume
	// Namespace prefixes every topic and consumer group name, so several
	// environments (or test runs) can share one Kafka cluster; "" in production.
	Namespace string
	Sagas     map[contracts.SagaKind]Advancer
	Sweeper   Sweeper
	// Clinic, when set, consumes contracts.TopicClinic: the clinics'
	// changes reach the history through the same store as saga results.
	Clinic ClinicApplier
	// Subscriber returns a subscriber in the named consumer group.
	Subscriber func(consumerGroup string) (message.Subscriber, error)
	// DeadLetters receives poison messages on contracts.TopicDeadLetter.
	DeadLetters message.Publisher
	// MessageTimeout bounds one delivery's work; default 30s.
	MessageTimeout time.Duration
	// UnavailableBackoff is the pause before a command whose region is
	// unavailable goes back to Kafka; default 500ms.
	UnavailableBackoff time.Duration
	// Gates, when set, hold the commands of a region whose breaker is
	// open or half-open until it changes state (at most
	// UnavailableWaitMax) instead of UnavailableBackoff; see RegionGates.
	Gates *RegionGates
	// UnavailableWaitMax bounds a wait at a gate; default 5s.
	UnavailableWaitMax time.Duration
	// UnsupportedBackoff is the pause before a command this instance cannot
	// handle (contracts.ErrUnsupported: written by a newer instance) goes
	// back to Kafka for an instance that can; default 5s. It holds up the
	// command's partition meanwhile, as a rolling deploy is short.
	UnsupportedBackoff time.Duration
	// SweepEvery is the deadline sweeper's period; default 1s.
	SweepEvery time.Duration
	// StallAfter: a release or cancellation unchanged for this long is sent
	// a new command; default 1 minute.
	StallAfter time.Duration
	// TracerProvider starts a consumer span per delivery, continuing the
	// trace carried in the message; nil means the otel global provider.
	TracerProvider trace.TracerProvider
	// Meter receives the runner's metrics; nil means the otel global provider.
	Meter  metric.MeterProvider
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.MessageTimeout == 0 {
		c.MessageTimeout = 30 * time.Second
	}
	if c.UnavailableBackoff == 0 {
		c.UnavailableBackoff = 500 * time.Millisecond
	}
	if c.UnavailableWaitMax == 0 {
		c.UnavailableWaitMax = 5 * time.Second
	}
	if c.UnsupportedBackoff == 0 {
		c.UnsupportedBackoff = 5 * time.Second
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
	if c.Meter == nil {
		c.Meter = otel.GetMeterProvider()
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
	cfg      Config
	router   *message.Router
	tracer   trace.Tracer
	deferred metric.Int64Counter
	subs     []message.Subscriber
}

const scope = "github.com/fedhealth/federation/sagas/runner"

// HandlerName and ConsumerGroup are part of the wire: the group holds the
// committed offsets, so renaming it re-consumes a region's whole topic.
func HandlerName(region string) string   { return "saga.r" + region }
func ConsumerGroup(region string) string { return "federation.saga.r" + region }

// ClinicHandlerName and ClinicConsumerGroup are part of the wire too: the
// group holds the offsets of contracts.TopicClinic.
const (
	ClinicHandlerName   = "clinic"
	ClinicConsumerGroup = "federation.clinic"
)

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
	poison, err := middleware.PoisonQueueWithFilter(cfg.DeadLetters, cfg.Namespace+contracts.TopicDeadLetter, Permanent)
	if err != nil {
		return nil, err
	}
	// Order matters: the poison queue must see the Recoverer's panic error.
	router.AddMiddleware(poison, middleware.Recoverer, middleware.Timeout(cfg.MessageTimeout))
	deferred, err := cfg.Meter.Meter(scope).Int64Counter("federation.saga.messages.deferred",
		metric.WithDescription("Saga commands sent back to Kafka after a pause, by region and reason: "+
			"unavailable (the region's MIS) or unsupported (this instance cannot handle it; a newer one can)."))
	if err != nil {
		return nil, fmt.Errorf("runner: metrics: %w", err)
	}
	rt := &Runtime{cfg: cfg, router: router, tracer: cfg.TracerProvider.Tracer(scope), deferred: deferred}
	for _, region := range cfg.Regions {
		sub, err := cfg.Subscriber(cfg.Namespace + ConsumerGroup(region))
		if err != nil {
			return nil, fmt.Errorf("runner: subscriber for region %s: %w", region, err)
		}
		rt.subs = append(rt.subs, sub)
		router.AddConsumerHandler(HandlerName(region), cfg.Namespace+contracts.RegionTopic(region), sub,
			func(msg *message.Message) error { return rt.handle(region, msg) })
	}
	if cfg.Clinic != nil {
		sub, err := cfg.Subscriber(cfg.Namespace + ClinicConsumerGroup)
		if err != nil {
			return nil, fmt.Errorf("runner: subscriber for clinic events: %w", err)
		}
		rt.subs = append(rt.subs, sub)
		router.AddConsumerHandler(ClinicHandlerName, cfg.Namespace+contracts.TopicClinic, sub, rt.handleClinic)
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

// Permanent selects the errors that redelivery cannot cure (the kind is
// permanent: invalid, not found; or the handler panicked): they go to the
// dead-letter topic with the reason, and the partition moves on. An
// unsupported command is not permanent: a newer instance can handle it.
func Permanent(err error) bool {
	var panicked middleware.RecoveredPanicError
	return contracts.KindOf(err).Permanent() || errors.As(err, &panicked)
}
