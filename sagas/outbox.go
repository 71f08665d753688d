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

func (b *Booking) event(now time.Time) { b.eventWith(now, b.Reason) }

// eventWith queues the booking's event with reason in place of the
// citizen's (an operator's decline sends its code).
func (b *Booking) eventWith(now time.Time, reason string) {
	src := b.src
	if src == "" {
		src = SourcePortal
	}
	ev := contracts.BookingEvent{
		Version: contracts.MessageVersion, EventID: uuid.NewString(), BookingID: b.ID,
		Region: b.Region, Status: string(b.Status), Reason: reason,
		Specialty: b.Slot.Specialty, At: now.UTC(), CorrelationID: b.CorrelationID,
		// The fields that make the event enough for aggregation on its own
		// (broker/analytics keeps no booking id to look the rest up by).
		Saga: b.Saga, Source: string(src), CancelledBy: string(b.CancelledBy),
		RequestedAt: utcOrNil(b.CreatedAt), SlotStart: utcOrNil(b.Slot.Start),
	}
	b.enqueue(contracts.TopicEvents, ev, "event")
}

// utcOrNil is t in UTC, or nil when unknown (an optional event field).
func utcOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
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
