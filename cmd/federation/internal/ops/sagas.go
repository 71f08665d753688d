package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/google/uuid"
)

// RetrySaga sends the saga of booking id a new command, for a saga whose
// command was lost or dead-lettered after its cause was fixed. Harmless on
// a saga with nothing left to do.
func RetrySaga(ctx context.Context, st sagas.Store, pub message.Publisher, namespace, id string) (*sagas.Booking, error) {
	b, err := st.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	kind := contracts.SagaBooking
	if b.Step == sagas.StepCancel {
		kind = contracts.SagaCancellation
	}
	payload, err := json.Marshal(contracts.SagaCommand{Version: contracts.MessageVersion, SagaID: b.ID, Kind: kind,
		Region: b.Region, CorrelationID: b.CorrelationID})
	if err != nil {
		return nil, err
	}
	msg := message.NewMessage(uuid.NewString(), payload)
	msg.Metadata.Set(kafka.KeyMetadata, b.ID)
	msg.Metadata.Set(sagas.MetaCorrelationID, b.CorrelationID)
	if err := pub.Publish(namespace+contracts.RegionTopic(b.Region), msg); err != nil {
		return nil, fmt.Errorf("publish command: %w", err)
	}
	return b, nil
}

// AbandonSaga fails a pending booking now, with a reason the citizen reads;
// the broker's running saga then releases whatever the MIS holds for it.
// The change and its release command are written in one transaction, so
// they leave through the outbox like any saga step.
func AbandonSaga(ctx context.Context, st sagas.Store, id string, now time.Time) (*sagas.Booking, error) {
	err := st.Update(ctx, id, func(b *sagas.Booking) error { return b.Abandon(now) })
	if err != nil {
		return nil, err
	}
	return st.Get(ctx, id)
}
