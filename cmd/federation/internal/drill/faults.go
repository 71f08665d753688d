package drill

import (
	"bytes"
	"context"
	"fmt"
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

// poisonDrill publishes an undecodable message to one region's topic, then
// runs load: the message must land in the dead-letter topic and the
// region's later bookings must still complete.
func poisonDrill(ctx context.Context, e *env, r *Result) error {
	region := e.pickRegion()
	topic := e.broker.namespace + contracts.RegionTopic(region)
	payload := fmt.Appendf(nil, "\x00poison %d: not a SagaCommand{", e.cfg.Seed)
	w := &kafka.Writer{Addr: kafka.TCP(e.broker.kafka...), Balancer: &kafka.Hash{}, RequiredAcks: kafka.RequireAll, BatchTimeout: 5 * time.Millisecond}
	err := w.WriteMessages(ctx, kafka.Message{Topic: topic, Key: []byte("drill-poison-" + e.load.run), Value: payload})
	_ = w.Close()
	if err != nil {
		return fmt.Errorf("publish poison to %s: %w", topic, err)
	}
	after := time.Now()
	e.load.phase(ctx, "fault", e.codes, e.cfg.Rate, e.t.baseline)
	e.load.wait(e.t.deadline + 30*time.Second)
	r.extra("region", region)
	found := deadLettered(ctx, e.broker.kafka, e.broker.namespace, topic, payload)
	r.extra("dead_lettered", found)
	if !found {
		r.Failures = append(r.Failures, "the poison message is not in "+contracts.TopicDeadLetter)
	}
	confirmed := 0
	for _, b := range e.load.bookings() {
		if b.Region == region && b.Start.After(after) && sagas.Status(b.Status) == sagas.StatusConfirmed {
			confirmed++
		}
	}
	r.extra("confirmed_after_poison", confirmed)
	if confirmed == 0 {
		r.Failures = append(r.Failures, "no booking in region "+region+" was confirmed after the poison")
	}
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
