package kafka

import (
	"errors"
	"time"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/propagation"
)

// SubscriberConfig configures a [Subscriber].
type SubscriberConfig struct {
	// Brokers are the bootstrap addresses ("host:port"); required.
	Brokers []string
	// ConsumerGroup names the group whose committed offsets this subscriber
	// continues from. It is part of the wire: renaming it re-consumes the
	// topic from StartOffset. Empty reads every partition from StartOffset
	// without a group and commits nothing (inspection, replay).
	ConsumerGroup string
	// Consumers is the number of group members each Subscribe call starts,
	// so that several partitions are worked in parallel; default 1. Each
	// member handles one message at a time. Ignored without a group.
	Consumers int
	// StartOffset is where reading starts when the group has no committed
	// offset (or always, without a group): kafka.FirstOffset (default, also
	// for 0) or kafka.LastOffset.
	StartOffset int64
	// MaxInFlight is how many messages each group member hands out at once
	// (default 1: one at a time, in partition order). Above 1, messages
	// with different keys are handled concurrently while messages with the
	// same key still go one after another in order, and the committed
	// offset is the contiguous low-water mark of finished messages, so a
	// crash redelivers every unfinished one. Ignored without a group.
	MaxInFlight int
	// ReadBatchTimeout bounds one fetch round trip; default 2s. kafka-go's
	// own default (10 s) leaves a partition idle for that long when a fetch
	// goes to a broker that just lost or has not yet taken leadership.
	ReadBatchTimeout time.Duration
	// CommitInterval, when above zero, commits offsets in the background at
	// that interval instead of one synchronous round trip per message. Only
	// offsets of finished messages are ever handed to the commit, so a
	// crash redelivers the unfinished ones and at most CommitInterval's
	// worth of finished ones (consumers deduplicate). Default 0: synchronous.
	CommitInterval time.Duration
	// NackResendSleep is the pause before a nacked message is delivered
	// again; default 100ms.
	NackResendSleep time.Duration
	// MaxWait bounds an idle fetch round trip; default 1.5s. kafka-go asks
	// the broker to hold a fetch for MaxWait minus its RTT allowance (1s,
	// or a quarter of MaxWait when MaxWait is under 1s) and drops the
	// connection when the answer is later than MaxWait. So with 1.5s an
	// idle partition polls every 0.5s with a 1s margin, while 100ms polled
	// every 75ms with a 25ms margin: at 85 regions the embedded broker fell
	// behind, every late answer became an "i/o timeout", a redial and a
	// storm. A fetch returns at once when a message arrives, so MaxWait
	// adds no latency; it bounds how long closing a reader or ending a
	// generation waits for an idle fetch (about MaxWait - 1s). Values from
	// 1s to 1.2s are refused: the broker would hold a fetch for (almost)
	// nothing and idle readers would spin.
	MaxWait time.Duration
	// SessionTimeout, RebalanceTimeout and HeartbeatInterval tune the group
	// membership; defaults 10s, 10s and 250ms. A short heartbeat makes
	// members notice a rebalance quickly.
	SessionTimeout    time.Duration
	RebalanceTimeout  time.Duration
	HeartbeatInterval time.Duration
	// JoinGroupBackoff is the pause before joining again after a failed
	// join; default 200ms (kafka-go's is 5s).
	JoinGroupBackoff time.Duration
	// CommitTimeout bounds the synchronous commit after an Ack; default 10s.
	CommitTimeout time.Duration
	// ReaderCloseWait bounds how long Close waits for readers to leave
	// their groups; default 1s. A reader that joins while its group
	// rebalances cannot leave before the rebalance ends, and Close should
	// not hang on that: the reader finishes leaving in the background.
	ReaderCloseWait time.Duration
	// TopicPartitions is the partition count for topics Subscribe creates
	// when they are missing; 0 means the broker's default.
	TopicPartitions int
	// SkipTopicCreation makes Subscribe expect existing topics (created with
	// [EnsureTopics] by an operator) instead of creating them.
	SkipTopicCreation bool
	// Security is how readers and the admin client connect (TLS, SASL);
	// the zero value is plaintext. Ignored when Dialer is set.
	Security Security
	// Dialer overrides the readers' connection settings (its TLS and SASL
	// also serve the admin client); nil builds one from Security.
	Dialer *kafka.Dialer
	// Propagator extracts trace context from the headers; nil means the otel
	// global propagator.
	Propagator propagation.TextMapPropagator
}

func (c *SubscriberConfig) setDefaults() {
	setDefault(&c.Consumers, 1)
	setDefault(&c.MaxInFlight, 1)
	if c.StartOffset == 0 {
		c.StartOffset = kafka.FirstOffset
	}
	setDefault(&c.NackResendSleep, 100*time.Millisecond)
	setDefault(&c.MaxWait, 1500*time.Millisecond)
	setDefault(&c.ReadBatchTimeout, 2*time.Second)
	setDefault(&c.SessionTimeout, 10*time.Second)
	setDefault(&c.RebalanceTimeout, 10*time.Second)
	setDefault(&c.HeartbeatInterval, 250*time.Millisecond)
	setDefault(&c.JoinGroupBackoff, 200*time.Millisecond)
	setDefault(&c.CommitTimeout, 10*time.Second)
	setDefault(&c.ReaderCloseWait, time.Second)
	if c.Dialer == nil && (c.Security.TLS != nil || c.Security.SASL != nil) {
		c.Dialer = c.Security.dialer()
	}
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// Validate reports a configuration the subscriber cannot work with.
func (c SubscriberConfig) Validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("kafka subscriber: no brokers")
	}
	if c.Consumers < 1 || c.MaxInFlight < 1 {
		return errors.New("kafka subscriber: consumers and messages in flight must be at least 1")
	}
	if c.StartOffset != kafka.FirstOffset && c.StartOffset != kafka.LastOffset {
		return errors.New("kafka subscriber: start offset must be kafka.FirstOffset or kafka.LastOffset")
	}
	if c.HeartbeatInterval >= c.SessionTimeout {
		return errors.New("kafka subscriber: heartbeat interval must be shorter than the session timeout")
	}
	if c.MaxWait >= time.Second && c.MaxWait < 1200*time.Millisecond {
		return errors.New("kafka subscriber: max wait from 1s to 1.2s makes idle fetches spin (kafka-go keeps 1s of it for the round trip); use under 1s or at least 1.2s")
	}
	if c.NackResendSleep < 0 || c.MaxWait < 0 || c.TopicPartitions < 0 {
		return errors.New("kafka subscriber: negative nack sleep, max wait or topic partitions")
	}
	return nil
}
