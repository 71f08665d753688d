package audit

import (
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// Record is one entry of the audit trail. Its JSON form is what the audit
// topic carries (inside Message) and what "federation audit --json" prints.
type Record struct {
	// Seq is the record's position in the trail and ID its UUID (also the
	// UUID of its copy on Kafka); Append assigns both.
	Seq int64  `json:"seq"`
	ID  string `json:"id"`
	// At is when the access or action happened; Append sets it when zero.
	At time.Time `json:"at"`
	// ActorKind and Actor say who: a citizen's keyed pseudonym, a
	// regional operator's id and region ("op1@25"), or the name an
	// operator of the broker gave its command-line tools.
	ActorKind ActorKind `json:"actor_kind"`
	Actor     string    `json:"actor"`
	// Action says what was done.
	Action Action `json:"action"`
	// BookingID is the booking concerned, when there is one; Target names
	// anything else acted on (a dead letter's topic and position).
	BookingID string `json:"booking_id,omitempty"`
	Target    string `json:"target,omitempty"`
	// Status is the HTTP status the API answered (0 for operator
	// commands), Outcome its class, and Detail why an operator command
	// failed.
	Status  int     `json:"status,omitempty"`
	Outcome Outcome `json:"outcome"`
	Detail  string  `json:"detail,omitempty"`
	// Reason is the operator's reason for the action.
	Reason string `json:"reason,omitempty"`
	// CorrelationID ties the record to the request's logs, saga messages
	// and MIS calls.
	CorrelationID string `json:"correlation_id,omitempty"`
	// Client is the class of the caller's address (see ClientClass), not
	// the address: an address is personal data too.
	Client string `json:"client,omitempty"`
}

// ActorKind says what kind of actor a record's Actor names.
type ActorKind string

// The actor kinds. Stored and on the audit topic: add, never rename.
const (
	Citizen ActorKind = "citizen"
	// Operator is a person running the broker's command-line tools (saga
	// retry and abandon, dead letters).
	Operator ActorKind = "operator"
	// RegionalOperator works a feed region's operator queue through the
	// API, with an operator token.
	RegionalOperator ActorKind = "regional_operator"
	// Analyst is a ministry analyst with an analyst token: recorded when
	// one calls an endpoint that is not theirs, and for what they read.
	Analyst ActorKind = "analyst"
)

// typed reports whether the kind's actor names are typed by a person (and
// so may hold an identifier by mistake).
func (k ActorKind) typed() bool { return k == Operator || k == RegionalOperator || k == Analyst }

// Action names what was done. Action names are part of the audit topic's
// wire format and of stored records: add new ones, never rename one.
type Action string

// The audited actions.
const (
	BookingCreate   Action = "booking.create"
	BookingRead     Action = "booking.read"
	BookingList     Action = "booking.list"
	BookingCancel   Action = "booking.cancel"
	SagaRetry       Action = "saga.retry"
	SagaAbandon     Action = "saga.abandon"
	DeadLetterRetry Action = "dlq.retry"
	// A regional operator's work on a feed region's queue.
	OperatorQueueRead   Action = "operator.queue"
	OperatorConfirm     Action = "operator.confirm"
	OperatorDecline     Action = "operator.decline"
	OperatorAcknowledge Action = "operator.acknowledge"
	// OperatorClinicStatus: a regional operator recorded what the clinic
	// did to a confirmed booking (cancelled, moved, visited, no-show); the
	// record's reason is the status (and the cancellation's code), never
	// the note.
	OperatorClinicStatus Action = "operator.status"
	// OperatorPatientRead: a regional operator read the patient's
	// identifiers of a booking, to tell the clinic (the values are never
	// recorded).
	OperatorPatientRead Action = "operator.patient"
	// AnalyticsRead: an analyst read aggregate figures (broker/analytics).
	AnalyticsRead Action = "analytics.read"
	// RegionConformanceRead: an analyst or a region's operator read the
	// region's live conformance probe results.
	RegionConformanceRead Action = "region.conformance"
	// OperatorRegionRead: a regional operator read their region's
	// integration state (refused status callbacks).
	OperatorRegionRead Action = "operator.region"
)

// Outcome is the class of a record's result.
type Outcome string

// The outcomes: done; refused because of the request (a 4xx: not found,
// invalid, conflict); failed on the server's side (a 5xx, an error).
const (
	OK      Outcome = "ok"
	Refused Outcome = "refused"
	Failed  Outcome = "failed"
)

// OutcomeOf classes an HTTP status.
func OutcomeOf(status int) Outcome {
	switch {
	case status >= 500:
		return Failed
	case status >= 400:
		return Refused
	}
	return OK
}

// Field limits: generous for what the broker writes, small enough that a
// record stays a line.
const (
	maxShort = 128  // actor, action, correlation id, client
	maxText  = 1000 // target, detail, reason
)

// Validate reports what makes r unfit for the trail, as an error wrapping
// contracts.ErrInvalid: a missing who, what or outcome, an oversized or
// non-printable field, or free text that looks like a personal identifier.
func (r Record) Validate() error {
	switch {
	case r.ActorKind != Citizen && !r.ActorKind.typed():
		return invalid("actor kind %q is not one of %q, %q, %q, %q", r.ActorKind, Citizen, Operator, RegionalOperator, Analyst)
	case r.Actor == "":
		return invalid("a record needs its actor")
	case r.Action == "":
		return invalid("a record needs its action")
	case r.Outcome != OK && r.Outcome != Refused && r.Outcome != Failed:
		return invalid("outcome %q is not one of ok, refused, failed", r.Outcome)
	case r.Status < 0 || r.Status > 999:
		return invalid("status %d is not an HTTP status", r.Status)
	case !FitsBookingID(r.BookingID):
		return invalid("booking id is not up to 64 printable ASCII characters")
	}
	fields := []struct {
		name, value string
		max         int
		free        bool // typed by a person: may hold an identifier by mistake
	}{
		// A citizen's pseudonym is hex and may hold a run of digits; an
		// operator's name is typed.
		{"actor", r.Actor, maxShort, r.ActorKind.typed()}, {"action", string(r.Action), maxShort, false},
		{"target", r.Target, maxText, false},
		{"detail", r.Detail, maxText, false}, {"reason", r.Reason, maxText, true},
		{"correlation id", r.CorrelationID, maxShort, false}, {"client", r.Client, maxShort, false},
	}
	for _, f := range fields {
		if err := checkText(f.name, f.value, f.max, f.free); err != nil {
			return err
		}
	}
	return nil
}

// MalformedBookingID is the Target of a record whose booking id did not
// fit the trail (see FitsBookingID) and was left out.
const MalformedBookingID = "malformed booking id"

// FitsBookingID reports whether id can be recorded as a BookingID: up to
// 64 printable ASCII characters (booking ids are UUIDs). An id from outside
// that does not fit (a probe's 10 kB id, a poison message's key) is left
// out and the record's Target says MalformedBookingID instead.
func FitsBookingID(id string) bool {
	if len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

func checkText(name, v string, limit int, free bool) error {
	if len(v) > limit {
		return invalid("%s is %d bytes, at most %d", name, len(v), limit)
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return invalid("%s holds a control character", name)
		}
	}
	if free && LooksLikeIdentifier(v) {
		return invalid("%s looks like it holds a SNILS or OMS number (11 or more digits); name the booking instead", name)
	}
	return nil
}

// LooksLikeIdentifier reports a run of 11 or more digits, counting through
// the spaces and dashes a SNILS is written with (123-456-789 01): the
// shape of a SNILS (11 digits) or an OMS policy number (16). It is the
// trail's one rule for typed text; whatever ends up in a record (an
// operator id, a note) is held to it before it is accepted.
func LooksLikeIdentifier(v string) bool {
	run := 0
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			run++
			if run >= 11 {
				return true
			}
		case (c == ' ' || c == '-') && run > 0:
		default:
			run = 0
		}
	}
	return false
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("audit: "+format+": %w", append(args, contracts.ErrInvalid)...)
}
