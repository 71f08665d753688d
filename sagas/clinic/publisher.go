package clinic

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/google/uuid"
)

// Outbox is where the Publisher writes; the SQL store implements it.
type Outbox interface {
	Enqueue(ctx context.Context, msgs ...sagas.OutboxMessage) error
}

// Publisher publishes clinic events through the outbox: once Publish
// returns, the event will reach contracts.TopicClinic (at least once; the
// Applier deduplicates by event id). It is safe for concurrent use.
type Publisher struct{ out Outbox }

// NewPublisher publishes through out.
func NewPublisher(out Outbox) *Publisher { return &Publisher{out: out} }

// Publish validates ev and writes it to the outbox, keyed by region and
// appointment so that one appointment's events keep their order.
// ErrInvalid or ErrUnsupported for an event that could not be applied.
func (p *Publisher) Publish(ctx context.Context, ev contracts.ClinicEvent) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("clinic: encode event: %w", err)
	}
	return p.out.Enqueue(ctx, sagas.OutboxMessage{
		ID: uuid.NewString(), Topic: contracts.TopicClinic, Key: Key(ev.Region, ev.AppointmentID), Payload: body,
		Metadata: map[string]string{sagas.MetaCorrelationID: ev.CorrelationID, sagas.MetaKind: "clinic." + string(ev.Change)},
	})
}

// Key is the partition key of an appointment's clinic events.
func Key(region, appointmentID string) string { return region + ":" + appointmentID }
