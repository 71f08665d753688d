package ops

import (
	"context"
	"fmt"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/fedhealth/federation/sagas/runner"
)

// RetryDeadLetter republishes the dead letter at (partition, offset) of
// namespace's dead-letter topic to the topic it came from (see
// runner.RetryDeadLetter), recorded in trail as op's action on the
// booking the message belonged to.
func RetryDeadLetter(ctx context.Context, trail *audit.Store, op Operator, brokers []string, sec kafka.Security, namespace string, partition int, offset int64) (runner.DeadLetter, error) {
	var d runner.DeadLetter
	err := Audited(ctx, trail, op, audit.DeadLetterRetry, "", func(rec *audit.Record) error {
		rec.Target = fmt.Sprintf("%s%s partition %d offset %d", namespace, contracts.TopicDeadLetter, partition, offset)
		var err error
		d, err = runner.RetryDeadLetter(ctx, brokers, sec, namespace, partition, offset)
		rec.BookingID = deadLetterBooking(d)
		if d.FromTopic != "" {
			rec.Target += " to " + d.FromTopic
		}
		return err
	})
	return d, err
}

// deadLetterBooking is the booking a dead letter belonged to: its key (the
// outbox keys saga messages by booking id), else the saga id of a command
// that still decodes; empty for a message that says neither.
func deadLetterBooking(d runner.DeadLetter) string {
	if k := d.Metadata[kafka.KeyMetadata]; k != "" {
		return k
	}
	if cmd, err := contracts.DecodeSagaCommand(d.Payload); err == nil {
		return cmd.SagaID
	}
	return ""
}
