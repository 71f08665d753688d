package system

import (
	"context"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/booking"
	"github.com/fedhealth/federation/sagas/bus"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/fedhealth/federation/sagas/cancellation"
	"github.com/fedhealth/federation/sagas/runner"
)

// startSagas creates the topics, then runs the outbox relay and one
// consumer per region in the background.
func (s *System) startSagas(ctx context.Context, opts Options, tel *telemetry) (*runner.Runtime, error) {
	ns := opts.KafkaNamespace
	topics := map[string]int{ns + contracts.TopicEvents: opts.Partitions, ns + contracts.TopicDeadLetter: 1,
		ns + audit.Topic: opts.Partitions}
	codes := make([]string, len(opts.Regions))
	for i, r := range opts.Regions {
		codes[i] = r.Code
		topics[ns+contracts.RegionTopic(r.Code)] = opts.Partitions
	}
	if err := kafka.EnsureTopics(ctx, s.KafkaAddrs, opts.KafkaSecurity, topics, opts.Replication); err != nil {
		return nil, fmt.Errorf("system: topics: %w", err)
	}
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: s.KafkaAddrs, Security: opts.KafkaSecurity}, s.logger)
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, pub.Close)
	sealer, err := auth.NewSealer(opts.SealKey)
	if err != nil {
		return nil, err
	}
	bookings, err := booking.New(booking.Config{Store: s.Store, Directory: s.Registry, Sealer: sealer, Meter: tel.provider, Logger: s.logger})
	if err != nil {
		return nil, err
	}
	cancels, err := cancellation.New(cancellation.Config{Store: s.Store, Directory: s.Registry, Meter: tel.provider})
	if err != nil {
		return nil, err
	}
	backlog := newBacklogs(ns, codes, s.logger)
	deadLetters, err := backlog.countDeadLetters(tel.provider, pub)
	if err != nil {
		return nil, err
	}
	if err := backlog.observe(tel.provider, s.Store); err != nil {
		return nil, err
	}
	rt, err := runner.New(runner.Config{
		Regions: codes, Namespace: ns,
		Sagas:   map[contracts.SagaKind]runner.Advancer{contracts.SagaBooking: bookings, contracts.SagaCancellation: cancels},
		Sweeper: bookings,
		Subscriber: func(group string) (message.Subscriber, error) {
			sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{
				Brokers: s.KafkaAddrs, Security: opts.KafkaSecurity, ConsumerGroup: group, Consumers: opts.Consumers, SkipTopicCreation: true,
				// Sagas of different bookings run side by side within a
				// partition; one booking's commands stay in order (same key).
				MaxInFlight: 32, CommitInterval: 100 * time.Millisecond,
			}, s.logger)
			backlog.track(group, sub)
			return sub, err
		},
		DeadLetters: deadLetters,
		Meter:       tel.provider,
		Logger:      s.logger,
	})
	if err != nil {
		return nil, err
	}
	relay := bus.NewRelay(s.Store, pub, s.logger)
	relay.Namespace = ns
	s.goRun(func() error { return relay.Run(ctx) })
	// The audit trail's copies leave through a relay of their own, so a
	// backlog of either never holds up the other.
	auditRelay := bus.NewRelay(s.Audit, pub, s.logger)
	auditRelay.Namespace = ns
	s.goRun(func() error { return auditRelay.Run(ctx) })
	s.goRun(func() error { return rt.Run(ctx) })
	select {
	case <-rt.Running():
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return rt, nil
}

func (s *System) goRun(fn func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := fn(); err != nil {
			s.logger.Error("system component stopped", "err", err)
		}
	}()
}
