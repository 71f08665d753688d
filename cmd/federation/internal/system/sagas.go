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
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/reschedule"
	"github.com/fedhealth/federation/sagas/runner"
)

// startSagas creates the topics, then runs the outbox relay and one
// consumer per region in the background.
func (s *System) startSagas(ctx context.Context, opts Options, tel *telemetry) (*runner.Runtime, error) {
	ns := opts.KafkaNamespace
	topics := map[string]int{ns + contracts.TopicEvents: opts.Partitions, ns + contracts.TopicDeadLetter: 1,
		ns + audit.Topic: opts.Partitions, ns + contracts.TopicClinic: opts.Partitions,
		ns + contracts.TopicLeadTimes: opts.Partitions}
	codes := make([]string, len(opts.Regions))
	s.sagaGroups = map[string]string{ns + runner.ClinicConsumerGroup: ns + contracts.TopicClinic}
	s.kafkaSecurity = opts.KafkaSecurity
	for i, r := range opts.Regions {
		codes[i] = r.Code
		topics[ns+contracts.RegionTopic(r.Code)] = opts.Partitions
		s.sagaGroups[ns+runner.ConsumerGroup(r.Code)] = ns + contracts.RegionTopic(r.Code)
	}
	if err := kafka.EnsureTopics(ctx, s.KafkaAddrs, opts.KafkaSecurity, topics, opts.Replication); err != nil {
		return nil, fmt.Errorf("system: topics: %w", err)
	}
	pub, err := kafka.NewPublisher(kafka.PublisherConfig{Brokers: s.KafkaAddrs, Security: opts.KafkaSecurity}, s.logger)
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, pub.Close)
	s.leadTimes = newLeadTimes(ns, pub, s.logger)
	sealer, err := auth.NewSealer(opts.SealKey)
	if err != nil {
		return nil, err
	}
	bookings, err := booking.New(booking.Config{Store: s.Store, Directory: s.Registry, Sealer: sealer,
		Meter: tel.provider, Logger: s.logger, KeepPatient: keepsPatient(s.Registry)})
	if err != nil {
		return nil, err
	}
	cancels, err := cancellation.New(cancellation.Config{Store: s.Store, Directory: s.Registry, Meter: tel.provider})
	if err != nil {
		return nil, err
	}
	moves, err := reschedule.New(reschedule.Config{Store: s.Store, Directory: s.Registry, Sealer: sealer, Logger: s.logger})
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
		Sagas: map[contracts.SagaKind]runner.Advancer{contracts.SagaBooking: bookings, contracts.SagaCancellation: cancels,
			contracts.SagaReschedule: moves},
		Sweeper: bookings,
		Clinic:  clinic.NewApplier(s.Store, nil, s.logger),
		Subscriber: func(group string) (message.Subscriber, error) {
			sub, err := kafka.NewSubscriber(kafka.SubscriberConfig{
				Brokers: s.KafkaAddrs, Security: opts.KafkaSecurity, ConsumerGroup: group, Consumers: opts.Consumers, SkipTopicCreation: true,
				// Sagas of different bookings run side by side within a
				// partition; one booking's commands stay in order (same key).
				MaxInFlight: inFlightPerMember(opts), CommitInterval: 100 * time.Millisecond,
				SessionTimeout: opts.SessionTimeout, HeartbeatInterval: opts.HeartbeatInterval, RebalanceTimeout: opts.RebalanceTimeout,
			}, s.logger)
			backlog.track(group, sub)
			return sub, err
		},
		DeadLetters: deadLetters,
		Gates:       s.gates,
		Meter:       tel.provider,
		Logger:      s.logger,
	})
	if err != nil {
		return nil, err
	}
	relay := bus.NewRelay(s.Store, pub, s.logger)
	relay.Namespace = ns
	relay.First = contracts.IsRegionTopic // a saga waits on its command; the events' readers do not
	s.goRun(func() error { return relay.Run(ctx) })
	// The audit trail's copies leave through a relay of their own, so a
	// backlog of either never holds up the other.
	auditRelay := bus.NewRelay(s.Audit, pub, s.logger)
	auditRelay.Namespace = ns
	auditRelay.Linger = auditLinger
	s.goRun(func() error { return auditRelay.Run(ctx) })
	s.goRun(func() error { return rt.Run(ctx) })
	if err := s.startAnalytics(ctx, opts, tel); err != nil {
		return nil, err
	}
	select {
	case <-rt.Running():
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return rt, nil
}

// sagasPerPartition is how many saga messages of one partition are worked
// at once.
const sagasPerPartition = 32

// minPartitionsWorth is the fewest partitions a region's concurrency is
// sized for: the embedded broker's one partition per topic (and a topic
// created with fewer) carries as many sagas at once as four did.
const minPartitionsWorth = 4

// inFlightPerMember sizes a group member's messages in flight to the
// partitions it may hold, so that fewer members per region keep the
// region's concurrency.
func inFlightPerMember(opts Options) int {
	partitions := max(opts.Partitions, minPartitionsWorth)
	return sagasPerPartition * max(1, (partitions+opts.Consumers-1)/opts.Consumers)
}

// WaitConsumersAssigned returns once every region's consumer group (and
// the clinic events' group) has all of its topic's partitions assigned, as
// the group coordinator reports it: the saga consumers then really run,
// which Start's "every handler consumes" does not yet promise (a member
// may still be joining). With several instances the group counts members
// of all of them.
func (s *System) WaitConsumersAssigned(ctx context.Context) error {
	return kafka.WaitAssigned(ctx, s.KafkaAddrs, s.kafkaSecurity, s.sagaGroups, 25*time.Millisecond)
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

// auditLinger gathers the audit trail's copies to Kafka into fewer produce
// requests (bus.Relay.Linger): the trail itself is committed before each
// answer leaves, the copy only feeds systems downstream.
const auditLinger = 100 * time.Millisecond
