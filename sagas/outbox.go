package sagas

import (
	"encoding/json"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/google/uuid"
)

// OutboxMessage is a message a transition emits. The store writes it in the
// transaction that saves the transition; a relay publishes it afterwards
// (at least once, so every consumer deduplicates).
type OutboxMessage struct {
	ID       string // becomes the message's UUID, so a republished copy is recognisable
	Topic    string
	Key      string // partition key: the saga id, so one saga's messages stay in order
	Payload  []byte
	Metadata map[string]string
}

// OutboxRecord is an outbox message with its position in the outbox.
type OutboxRecord struct {
	Seq int64
	OutboxMessage
}

// Metadata keys the sagas set on their messages.
const (
	MetaCorrelationID = "correlation_id"
	MetaKind          = "kind"
)

// PendingOutbox returns the messages queued since the booking was loaded.
// Stores call it inside the transaction that saves the booking.
func (b *Booking) PendingOutbox() []OutboxMessage { return b.outbox }

// NewTimeline returns the timeline entries not yet saved.
func (b *Booking) NewTimeline() []TimelineEntry { return b.Timeline[b.savedTimeline:] }

// MarkSaved tells the booking that its timeline and outbox are persisted.
// Stores call it after commit, and after loading a booking.
func (b *Booking) MarkSaved() {
	b.savedTimeline = len(b.Timeline)
	b.outbox = nil
}

// command asks the saga that drives the booking to advance it.
func (b *Booking) command() {
	b.enqueue(contracts.RegionTopic(b.Region), contracts.SagaCommand{
		Version: contracts.MessageVersion, SagaID: b.ID, Kind: b.Saga,
		Region: b.Region, CorrelationID: b.CorrelationID,
	}, string(b.Saga))
}

func (b *Booking) event(now time.Time) {
	b.enqueue(contracts.TopicEvents, contracts.BookingEvent{
		Version: contracts.MessageVersion, EventID: uuid.NewString(), BookingID: b.ID,
		Region: b.Region, Status: string(b.Status), Reason: b.Reason,
		Specialty: b.Slot.Specialty, At: now.UTC(), CorrelationID: b.CorrelationID,
	}, "event")
}

func (b *Booking) enqueue(topic string, payload any, kind string) {
	body, err := json.Marshal(payload)
	if err != nil {
		panic("sagas: message does not marshal: " + err.Error()) // plain structs: cannot happen
	}
	b.outbox = append(b.outbox, OutboxMessage{
		ID: uuid.NewString(), Topic: topic, Key: b.ID, Payload: body,
		Metadata: map[string]string{MetaCorrelationID: b.CorrelationID, MetaKind: kind},
	})
}
