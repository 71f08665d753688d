package system

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/sagas/bus/kafka"
)

// startAnalytics runs the analysts' read model's consumer in the
// background: its own consumer group on the events topic, so it never
// holds up the sagas, and a new group per rebuild generation.
func (s *System) startAnalytics(ctx context.Context, opts Options, tel *telemetry) error {
	feed, err := analytics.NewConsumer(analytics.ConsumerConfig{
		Store: s.analytics, Topic: opts.KafkaNamespace + contracts.TopicEvents, LeadTopic: opts.KafkaNamespace + contracts.TopicLeadTimes,
		Prefix: opts.KafkaNamespace + analytics.GroupPrefix,
		Subscriber: func(group string) (message.Subscriber, error) {
			// A group without committed offsets (a new generation) starts
			// at the topic's first retained event (StartOffset's default).
			return kafka.NewSubscriber(kafka.SubscriberConfig{
				Brokers: s.KafkaAddrs, Security: opts.KafkaSecurity, ConsumerGroup: group, SkipTopicCreation: true,
				CommitInterval: 100 * time.Millisecond,
			}, s.logger)
		},
		Meter: tel.provider, Logger: s.logger,
	})
	if err != nil {
		return err
	}
	s.analyticsFeed = feed
	s.goRun(func() error { return feed.Run(ctx) })
	return nil
}

// recordTransition keeps a breaker transition in the analysts' history;
// like the shared status, a write that fails is logged, not returned.
func (s *System) recordTransition(region string, to contracts.RegionStatus) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.analytics.RecordTransition(ctx, region, to, instanceName(), time.Now()); err != nil {
		s.logger.Warn("breaker transition not kept for analytics", "region", region, "status", to, "err", err)
	}
}

// recordMISCalls starts counting the regional MIS's calls for the
// analysts (analytics.Recorder) and returns the registry's call observer
// that feeds it. The recorder closes (its last counts added) after the
// registry and before the database.
func (s *System) recordMISCalls() (func(region, op string, d time.Duration, o breaker.Outcome), error) {
	rec, err := analytics.NewRecorder(analytics.RecorderConfig{Store: s.analytics, Logger: s.logger})
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, rec.Close)
	return func(region, op string, d time.Duration, o breaker.Outcome) { rec.Observe(region, op, d, string(o)) }, nil
}

// analyticsService is the query side the API serves to analysts.
func (s *System) analyticsService() (*analytics.Service, error) {
	cfg := analytics.Config{Store: s.analytics, Health: s.statusStore, Probes: s.probes}
	if s.analyticsFeed != nil {
		cfg.EventsBehind = s.analyticsFeed.EventsBehind
	}
	return analytics.NewService(cfg)
}
