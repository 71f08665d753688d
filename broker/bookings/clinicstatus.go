package bookings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/google/uuid"
)

// The clinic's side of a feed region's confirmed booking: a feed has no
// MIS to call the broker back, so the region's operators record what the
// clinic did (cancelled, moved, the patient came or did not). Each record
// becomes the contracts.ClinicEvent a callback would have produced
// (origin operator), published through the same path (ClinicPublisher)
// and applied to the history by the same rules (sagas.Booking.ApplyClinic,
// docs/history.md).

// ClinicPublisher publishes clinic events: sagas/clinic.Publisher, which
// writes them to the outbox for contracts.TopicClinic.
type ClinicPublisher interface {
	Publish(ctx context.Context, ev contracts.ClinicEvent) error
}

// ClinicStatuses are the statuses an operator may record, as the API
// spells them, with the change each becomes. "no_show", the history's own
// spelling, is read as "no-show".
var clinicStatuses = map[string]contracts.ClinicChange{
	"cancelled": contracts.ClinicCancelled,
	"moved":     contracts.ClinicMoved,
	"visited":   contracts.ClinicVisited,
	"no-show":   contracts.ClinicNoShow,
	"no_show":   contracts.ClinicNoShow,
}

// ClinicStatusNames lists the statuses an operator may record, in the
// order the pages offer them.
func ClinicStatusNames() []string { return []string{"visited", "no-show", "moved", "cancelled"} }

// RecordClinicStatus is an operator's record of what the clinic did to a
// confirmed booking of the operator's region.
type RecordClinicStatus struct {
	Operator auth.Operator
	ID       string
	// Status is one of ClinicStatusNames.
	Status string
	// ReasonCode is one of contracts.ClinicCancelReasons, for cancelled
	// only (the citizen reads its sentence).
	ReasonCode string
	// Note is optional plain text for the citizen, shown in the booking's
	// timeline only (checked as a decline's note is).
	Note string
	// Start and End are the new time, for moved only: Start in the future;
	// End zero keeps the appointment's length.
	Start, End time.Time
	// Key is the operator's Idempotency-Key, if any: with the operator and
	// the booking it names the event, so a retry whose first answer was
	// lost publishes the same event again, which the history applies once.
	Key string
}

// ClinicStatusRecorded is the answer to RecordClinicStatus: the event is
// published and the history shows it once it is applied (moments later:
// the same path as the callbacks', through Kafka).
type ClinicStatusRecorded struct {
	ID      string
	EventID string
	Change  contracts.ClinicChange
	// Status is the booking's status when the event was published.
	Status sagas.Status
}

var (
	errBadClinicStatus  = Invalid("status must be one of " + strings.Join(ClinicStatusNames(), ", "))
	errBadClinicReason  = Invalid("reason_code must be one of " + strings.Join(contracts.ClinicCancelReasons, ", ") + " (for cancelled only)")
	errReasonNotAllowed = Invalid("reason_code is for cancelled only")
	errTimeNotAllowed   = Invalid("start and end are for moved only")
	errMoveNeedsStart   = Invalid("moved needs start, a time in the future (RFC 3339)")
	errMoveBadEnd       = Invalid("end must be after start")
	errNotYetStarted    = Invalid("visited and no-show can be recorded only once the appointment has started")
	errNoClinicPath     = contracts.NewError(contracts.KindUnsupported, "clinic events are not wired into this service")
	errClinicNotFinal   = conflict("The booking is not confirmed: confirm or decline it first (or acknowledge the citizen's cancellation).")
	errClinicEnded      = conflict("The booking has ended, or its visit is recorded: this change no longer applies to it.")
	errClinicRecorded   = conflict("The booking already shows this status.")
)

// ConflictError is a request the current state of a booking refuses,
// with fixed words that say why: a contracts.ErrConflict whose detail the
// caller may read, as InvalidError's.
type ConflictError struct{ detail string }

func conflict(detail string) error { return &ConflictError{detail: detail} }

func (e *ConflictError) Error() string { return e.detail }

// Unwrap makes the error a contracts.ErrConflict.
func (e *ConflictError) Unwrap() error { return contracts.ErrConflict }

// PublicDetail is the text a client may read.
func (e *ConflictError) PublicDetail() string { return e.detail }

// operatorEventSpace names the event ids of operators' records.
var operatorEventSpace = uuid.MustParse("9a4e2c71-5b0d-4f8e-b3a6-1d7c8e2f4a95")

// RecordClinicStatus publishes the clinic event of cmd for a confirmed
// booking of the operator's region. The existing rules of clinic events
// decide, checked here on the booking as it stands so that the operator
// is told at once (ErrInvalid for a visit before the start, ErrConflict
// for a booking not confirmed or ended); the applier checks them again
// when it applies the event, so a change made meanwhile is not
// overwritten. ErrNotFound for a booking the operator may not see, as for
// a missing one.
func (s *Service) RecordClinicStatus(ctx context.Context, cmd RecordClinicStatus) (ClinicStatusRecorded, error) {
	change, ok := clinicStatuses[cmd.Status]
	if !ok {
		return ClinicStatusRecorded{}, errBadClinicStatus
	}
	note := strings.TrimSpace(cmd.Note)
	if err := checkClinicFields(change, cmd, note); err != nil {
		return ClinicStatusRecorded{}, err
	}
	if s.cfg.Clinic == nil {
		return ClinicStatusRecorded{}, errNoClinicPath
	}
	b, err := s.cfg.Bookings.Get(ctx, cmd.ID)
	switch {
	case errors.Is(err, contracts.ErrNotFound) || (err == nil && !visibleTo(cmd.Operator, b)):
		return ClinicStatusRecorded{}, fmt.Errorf("booking: %w", contracts.ErrNotFound) // as for a missing one
	case err != nil:
		return ClinicStatusRecorded{}, err
	}
	now := s.cfg.Now()
	ev, err := operatorEvent(cmd, b, change, note, now)
	if err != nil {
		return ClinicStatusRecorded{}, err
	}
	if err := precheck(b, ev, now); err != nil {
		return ClinicStatusRecorded{}, err
	}
	if err := ev.Validate(); err != nil {
		return ClinicStatusRecorded{}, err
	}
	if err := s.cfg.Clinic.Publish(ctx, ev); err != nil {
		return ClinicStatusRecorded{}, err
	}
	s.cfg.Logger.InfoContext(ctx, "operator recorded the clinic's change", "booking_id", b.ID, "region", b.Region,
		"event_id", ev.EventID, "change", change) // never the note
	return ClinicStatusRecorded{ID: b.ID, EventID: ev.EventID, Change: change, Status: b.Status}, nil
}

// checkClinicFields checks that cmd carries what its change needs and
// nothing another change would.
func checkClinicFields(change contracts.ClinicChange, cmd RecordClinicStatus, note string) error {
	if _, err := checkedText(note, errBadNote, errNoteIdentifier); err != nil {
		return err
	}
	switch {
	case change == contracts.ClinicCancelled && !slices.Contains(contracts.ClinicCancelReasons, cmd.ReasonCode):
		return errBadClinicReason
	case change != contracts.ClinicCancelled && cmd.ReasonCode != "":
		return errReasonNotAllowed
	case change != contracts.ClinicMoved && (!cmd.Start.IsZero() || !cmd.End.IsZero()):
		return errTimeNotAllowed
	}
	return nil
}

// operatorEvent is the clinic event of cmd for booking b, as a callback
// would carry it, with origin operator; ErrInvalid for a move's bad time.
func operatorEvent(cmd RecordClinicStatus, b *sagas.Booking, change contracts.ClinicChange, note string, now time.Time) (contracts.ClinicEvent, error) {
	ev := contracts.ClinicEvent{
		Version: contracts.MessageVersion, EventID: operatorEventID(cmd.Operator, b.ID, cmd.Key), Region: b.Region,
		AppointmentID: b.AppointmentID, Change: change, At: now.UTC(), ReasonCode: cmd.ReasonCode, Note: note,
		Origin: contracts.ClinicOriginOperator, CorrelationID: b.CorrelationID,
	}
	if change == contracts.ClinicMoved {
		if cmd.Start.IsZero() || !cmd.Start.After(now) {
			return ev, errMoveNeedsStart
		}
		end := cmd.End
		if end.IsZero() {
			end = cmd.Start.Add(b.Slot.End.Sub(b.Slot.Start))
		}
		if !end.After(cmd.Start) {
			return ev, errMoveBadEnd
		}
		ev.Start, ev.End = cmd.Start.UTC(), end.UTC()
	}
	return ev, nil // validated once the rules accept it: a booking not confirmed has no appointment yet
}

// operatorEventID derives the event's id from the operator, the booking
// and the request's key; a request without a key (a page's form) gets a
// new id.
func operatorEventID(op auth.Operator, bookingID, key string) string {
	if key == "" {
		return uuid.NewString()
	}
	return uuid.NewSHA1(operatorEventSpace, []byte(op.Region+"\x00"+op.ID+"\x00"+bookingID+"\x00"+key)).String()
}

// precheck applies ev by the clinic-event rules to b, a copy read for the
// purpose and never saved, and turns what the rules say into the
// operator's answer: a change they would record as ignored is refused
// rather than published.
func precheck(b *sagas.Booking, ev contracts.ClinicEvent, now time.Time) error {
	if target, ok := map[contracts.ClinicChange]sagas.Status{contracts.ClinicVisited: sagas.StatusVisited,
		contracts.ClinicNoShow: sagas.StatusNoShow}[ev.Change]; ok && b.Status == target {
		return errClinicRecorded
	}
	outcome, err := b.ApplyClinic(ev, now)
	switch {
	case errors.Is(err, sagas.ErrSagaRunning):
		return errClinicNotFinal
	case errors.Is(err, contracts.ErrInvalid):
		return errNotYetStarted // the one change the rules refuse outright
	case err != nil:
		return err
	case outcome == sagas.ClinicIgnored:
		return errClinicEnded
	}
	return nil
}

// ConfirmedBooking is a confirmed booking of the operator's region, on
// which the operator may record what the clinic did; without the
// citizen's identifiers.
type ConfirmedBooking struct {
	ID            string
	Region        string
	Slot          sagas.SlotSnapshot
	AppointmentID string
}

// maxConfirmedPage bounds the operator's list of confirmed bookings.
const maxConfirmedPage = 100

// ReadConfirmed lists up to 100 confirmed bookings of the operator's
// region, earliest appointment first; empty when the service has no
// list of them (no feed region).
func (s *Service) ReadConfirmed(ctx context.Context, op auth.Operator) ([]ConfirmedBooking, error) {
	if s.cfg.Confirmed == nil || op.Region == "" {
		return []ConfirmedBooking{}, nil
	}
	bs, err := s.cfg.Confirmed.ConfirmedOperatorBookings(ctx, op.Region, maxConfirmedPage)
	if err != nil {
		return nil, err
	}
	out := make([]ConfirmedBooking, 0, len(bs))
	for _, b := range bs {
		out = append(out, ConfirmedBooking{ID: b.ID, Region: b.Region, Slot: b.Slot, AppointmentID: b.AppointmentID})
	}
	return out, nil
}
