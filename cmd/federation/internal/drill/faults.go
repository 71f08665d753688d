package drill

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/runner"
	"github.com/segmentio/kafka-go"

	buskafka "github.com/fedhealth/federation/sagas/bus/kafka"
)

// duplicatesDrill delivers every saga command a second time: after a first
// load has settled, each region's topic is replayed from its start while
// more load runs.
func duplicatesDrill(ctx context.Context, e *env, r *Result) error {
	e.load.phase(ctx, "baseline", e.codes, e.cfg.Rate, e.t.baseline)
	e.load.wait(e.t.deadline)
	replayed := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.load.phase(ctx, "fault", e.codes, e.cfg.Rate, e.t.baseline)
	}()
	for _, code := range e.codes {
		n, err := replay(ctx, e.broker.kafka, e.broker.namespace+contracts.RegionTopic(code))
		if err != nil {
			<-done
			return err
		}
		replayed += n
	}
	<-done
	r.extra("replayed", replayed)
	if replayed == 0 {
		r.Failures = append(r.Failures, "nothing was replayed")
	}
	return nil
}

// poisonDrill publishes an undecodable message to the topic of one region
// of every kind, then runs load: each message must land in the
// dead-letter topic and each region's later bookings must still complete.
func poisonDrill(ctx context.Context, e *env, r *Result) error {
	poisoned := e.pickPerKind()
	payload := fmt.Appendf(nil, "\x00poison %d: not a SagaCommand{", e.cfg.Seed)
	w := &kafka.Writer{Addr: kafka.TCP(e.broker.kafka...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond}
	for _, region := range poisoned {
		topic := e.broker.namespace + contracts.RegionTopic(region)
		if err := w.WriteMessages(ctx, kafka.Message{Topic: topic, Key: []byte("drill-poison-" + e.load.run), Value: payload}); err != nil {
			_ = w.Close()
			return fmt.Errorf("publish poison to %s: %w", topic, err)
		}
	}
	_ = w.Close()
	after := time.Now()
	e.load.phase(ctx, "fault", e.codes, e.cfg.Rate, e.t.baseline)
	e.load.wait(e.t.deadline + 30*time.Second)
	r.extra("regions", strings.Join(poisoned, ","))
	dead, confirmed := 0, 0
	for _, region := range poisoned {
		topic := e.broker.namespace + contracts.RegionTopic(region)
		if deadLettered(ctx, e.broker.kafka, e.broker.namespace, topic, payload) {
			dead++
		} else {
			r.Failures = append(r.Failures, "the poison message of "+topic+" is not in "+contracts.TopicDeadLetter)
		}
		n := 0
		for _, b := range e.load.bookings() {
			if b.Region == region && b.Start.After(after) && sagas.Status(b.Status) == sagas.StatusConfirmed {
				n++
			}
		}
		if n == 0 {
			r.Failures = append(r.Failures, "no booking in region "+region+" was confirmed after the poison")
		}
		confirmed += n
	}
	r.extra("dead_lettered", dead)
	r.extra("confirmed_after_poison", confirmed)
	return nil
}

// deadLettered polls the dead-letter topic for payload from topic.
func deadLettered(ctx context.Context, brokers []string, namespace, topic string, payload []byte) bool {
	until := time.Now().Add(30 * time.Second)
	for time.Now().Before(until) && ctx.Err() == nil {
		dls, _ := runner.ListDeadLetters(ctx, brokers, buskafka.Security{}, namespace, 100000, 2*time.Second) // drills run plaintext Kafka
		for _, d := range dls {
			if d.FromTopic == topic && bytes.Equal(d.Payload, payload) {
				return true
			}
		}
		sleep(ctx, time.Second)
	}
	return false
}
