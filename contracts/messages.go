package contracts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Topic names are part of the wire: renaming one orphans every message
// already in it. A breaking change to a message gets a new version suffix
// and a new topic; consumers read both until the old one is drained.
const (
	// TopicEvents carries BookingEvent v1, keyed by booking id.
	TopicEvents = "fed.booking.events.v1"
	// TopicDeadLetter receives every message that could not be processed,
	// with the reason in its metadata.
	TopicDeadLetter = "fed.deadletter.v1"
)

// RegionTopic names the topic that carries SagaCommand v1 for one region.
// One topic per region keeps a slow or failing MIS from delaying the others.
func RegionTopic(regionCode string) string { return "fed.saga.r" + regionCode + ".v1" }

// IsRegionTopic reports whether topic is a region's saga commands
// (RegionTopic), behind an optional namespace prefix.
func IsRegionTopic(topic string) bool {
	i := strings.Index(topic, "fed.saga.r")
	return i >= 0 && strings.HasSuffix(topic, ".v1") && len(topic) > i+len("fed.saga.r")+len(".v1")
}

// MessageVersion is the version every v1 message carries in its "v" field.
const MessageVersion = 1

// SagaKind names a saga; it selects the code that advances it.
type SagaKind string

// Saga kinds.
const (
	SagaBooking      SagaKind = "booking"
	SagaCancellation SagaKind = "cancellation"
	// SagaReschedule moves a confirmed booking to another slot of its
	// region: the new one booked first, the old one cancelled after.
	SagaReschedule SagaKind = "reschedule"
)

var regionCodePattern = regexp.MustCompile(`^[0-9A-Za-z]{1,8}$`)

// ValidRegionCode reports whether code has the shape of a region code.
func ValidRegionCode(code string) bool { return regionCodePattern.MatchString(code) }

// SagaCommand v1 asks the saga runtime to advance one saga as far as it can.
// It carries no saga state: the state lives in the store, so a duplicate or
// stale command is harmless (the runtime finds nothing left to do).
type SagaCommand struct {
	Version       int      `json:"v"`
	SagaID        string   `json:"saga_id"`
	Kind          SagaKind `json:"kind"`
	Region        string   `json:"region"`
	CorrelationID string   `json:"correlation_id,omitempty"`
}

// Validate reports what is wrong with c. A command this instance cannot
// read wraps ErrInvalid (dead-lettered); one written by a newer instance (a
// higher version, a kind this one does not know) wraps ErrUnsupported, so it
// is delivered again until an instance that knows it takes it. The version
// is checked first: the rules of a newer version are not this one's to judge.
func (c SagaCommand) Validate() error {
	switch {
	case c.Version < 1:
		return fmt.Errorf("saga command version %d malformed: %w", c.Version, ErrInvalid)
	case c.Version > MessageVersion:
		return fmt.Errorf("saga command version %d is newer than %d: %w", c.Version, MessageVersion, ErrUnsupported)
	case c.SagaID == "":
		return fmt.Errorf("saga command without saga_id: %w", ErrInvalid)
	case !ValidRegionCode(c.Region):
		return fmt.Errorf("saga command region %q malformed: %w", c.Region, ErrInvalid)
	case c.Kind == "":
		return fmt.Errorf("saga command without kind: %w", ErrInvalid)
	case c.Kind != SagaBooking && c.Kind != SagaCancellation && c.Kind != SagaReschedule:
		return fmt.Errorf("saga command kind %q unknown: %w", c.Kind, ErrUnsupported)
	}
	return nil
}

// BookingEvent v1 records one status change of a booking, for read models and
// analytics. It carries no personal data: no citizen, no patient identifier.
//
// Its fields after CorrelationID were added to v1 later and are optional:
// an event written before them lacks them, and a reader must treat a
// missing one as unknown, never as a value. The rule for this message, unlike
// SagaCommand, is additive: a new optional field keeps the version, and a
// reader ignores fields it does not know (DecodeBookingEvent decodes
// leniently), because an event only reports what happened and a field it
// does not understand cannot change what it must do. A field whose absence
// would be misread, or a changed meaning, needs v2 on a new topic.
type BookingEvent struct {
	Version       int       `json:"v"`
	EventID       string    `json:"event_id"`
	BookingID     string    `json:"booking_id"`
	Region        string    `json:"region"`
	Status        string    `json:"status"`
	Reason        string    `json:"reason,omitempty"`
	Specialty     string    `json:"specialty,omitempty"`
	At            time.Time `json:"at"`
	CorrelationID string    `json:"correlation_id,omitempty"`

	// Saga is the saga that drove the booking at this change (booking,
	// cancellation, reschedule, or the sagas package's operator and clinic
	// kinds): it tells a reschedule's "confirmed" from a booking's.
	Saga SagaKind `json:"saga,omitempty"`
	// Source is who made the change: portal, clinic, operator or
	// reconciliation.
	Source string `json:"source,omitempty"`
	// CancelledBy is who cancelled (citizen, clinic, operator), set on a
	// cancelled event.
	CancelledBy string `json:"cancelled_by,omitempty"`
	// RequestedAt is when the booking was created: the end-to-end latency
	// of the booking saga is At − RequestedAt on its final event.
	RequestedAt *time.Time `json:"requested_at,omitempty"`
	// SlotStart is the appointment's start at this change: the waiting
	// time is SlotStart − RequestedAt on the confirmation.
	SlotStart *time.Time `json:"slot_start,omitempty"`
}

// Validate reports what is wrong with e, wrapping ErrInvalid.
func (e BookingEvent) Validate() error {
	switch {
	case e.Version != MessageVersion:
		return fmt.Errorf("booking event version %d not supported: %w", e.Version, ErrInvalid)
	case e.EventID == "" || e.BookingID == "" || e.Status == "":
		return fmt.Errorf("booking event needs event_id, booking_id and status: %w", ErrInvalid)
	case !ValidRegionCode(e.Region):
		return fmt.Errorf("booking event region %q malformed: %w", e.Region, ErrInvalid)
	case e.At.IsZero():
		return fmt.Errorf("booking event without time: %w", ErrInvalid)
	}
	return nil
}

// DecodeBookingEvent parses and validates a BookingEvent v1, leniently:
// fields this version does not know are ignored (see BookingEvent for the
// additive rule). Malformed JSON and broken rules wrap ErrInvalid.
func DecodeBookingEvent(payload []byte) (BookingEvent, error) {
	var e BookingEvent
	if err := json.Unmarshal(payload, &e); err != nil {
		return BookingEvent{}, fmt.Errorf("decode booking event: %v: %w", err, ErrInvalid)
	}
	return e, e.Validate()
}

// DecodeSagaCommand parses and validates a SagaCommand v1. Malformed JSON
// and broken v1 rules wrap ErrInvalid. A field this version does not have
// wraps ErrUnsupported, like a newer version or kind (see Validate): a newer
// instance wrote it and it may change the command's meaning, so this
// instance neither misreads it nor dead-letters it. Past the JSON, the
// command is returned with the error too, for logs: never act on it then.
func DecodeSagaCommand(payload []byte) (SagaCommand, error) {
	var c SagaCommand
	if err := json.Unmarshal(payload, &c); err != nil {
		return SagaCommand{}, fmt.Errorf("decode saga command: %v: %w", err, ErrInvalid)
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	if err := unknownFields(payload, &SagaCommand{}); err != nil {
		return c, fmt.Errorf("decode saga command: %v: %w", err, ErrUnsupported)
	}
	return c, nil
}

// unknownFields decodes payload again, strictly. Called after a lenient
// json.Unmarshal succeeded, so the only error left is a field v lacks
// (encoding/json has no typed error for it).
func unknownFields(payload []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
