package bookings

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// The operator use cases: a feed region's bookings wait in the region's
// operator queue until one of its operators confirms or declines them (or
// acknowledges a citizen's cancellation). An operator sees and acts on
// their own region only: another region's booking is reported exactly as
// a missing one, so ids cannot be probed across regions.

// Queue paging: a page without a limit holds defaultQueuePage items, none
// more than maxQueuePage.
const (
	defaultQueuePage = 50
	maxQueuePage     = 200
)

// QueueItemKind says what an item of the operator queue asks of the operator.
type QueueItemKind string

// The kinds of queue items.
const (
	// QueueConfirm: a new booking to confirm (with the clinic's
	// appointment id) or decline (with a reason for the citizen).
	QueueConfirm QueueItemKind = "booking"
	// QueueCancellation: the citizen cancelled a confirmed booking; the
	// operator tells the clinic and acknowledges.
	QueueCancellation QueueItemKind = "cancellation"
)

// QueueItem is one booking in an operator's queue, without the citizen's
// identifiers: the slot, the booking id, and what the operator must do.
type QueueItem struct {
	ID     string
	Kind   QueueItemKind
	Status sagas.Status
	Region string
	Slot   sagas.SlotSnapshot
	// AppointmentID is the clinic's id, for a cancellation.
	AppointmentID string
	CreatedAt     time.Time
	// QueuedAt is when the item entered the queue; Deadline when a
	// booking to confirm fails by itself.
	QueuedAt time.Time
	Deadline time.Time
}

// ReadQueue asks for one page of the operator's queue.
type ReadQueue struct {
	Operator auth.Operator
	// PageToken continues after the page that returned it; empty starts
	// at the oldest item.
	PageToken string
	Limit     int
}

// QueuePage is one page of a queue, oldest item first; NextPageToken is
// empty on the last page.
type QueuePage struct {
	Items         []QueueItem
	NextPageToken string
}

var (
	errBadQueueLimit = Invalid(fmt.Sprintf("limit must be between 1 and %d", maxQueuePage))
	errBadPageToken  = Invalid("page_token is not one this API gave")
)

// ReadQueue returns a page of the operator's region's queue.
func (s *Service) ReadQueue(ctx context.Context, q ReadQueue) (QueuePage, error) {
	limit := q.Limit
	switch {
	case limit == 0:
		limit = defaultQueuePage
	case limit < 0 || limit > maxQueuePage:
		return QueuePage{}, errBadQueueLimit
	}
	after, err := decodePageToken(q.PageToken)
	if err != nil {
		return QueuePage{}, err
	}
	if s.cfg.Queue == nil {
		return QueuePage{Items: []QueueItem{}}, nil // no feed region: every queue is empty
	}
	bs, err := s.cfg.Queue.Queue(ctx, q.Operator.Region, after, limit+1)
	if err != nil {
		return QueuePage{}, err
	}
	page := QueuePage{Items: make([]QueueItem, 0, min(len(bs), limit))}
	for i, b := range bs {
		if i == limit {
			page.NextPageToken = encodePageToken(bs[i-1])
			break
		}
		page.Items = append(page.Items, toQueueItem(b))
	}
	return page, nil
}

func toQueueItem(b *sagas.Booking) QueueItem {
	it := QueueItem{ID: b.ID, Kind: QueueConfirm, Status: b.Status, Region: b.Region, Slot: b.Slot,
		CreatedAt: b.CreatedAt, QueuedAt: b.UpdatedAt, Deadline: b.Deadline}
	if b.Step == sagas.StepOperatorCancel {
		it.Kind, it.AppointmentID, it.Deadline = QueueCancellation, b.AppointmentID, time.Time{}
	}
	return it
}

// A page token is the last item's position, base64url("nanos.id"): opaque
// to callers, checked on the way back.
func encodePageToken(b *sagas.Booking) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(b.UpdatedAt.UnixNano(), 10) + "." + b.ID))
}

func decodePageToken(tok string) (sagas.QueueCursor, error) {
	if tok == "" {
		return sagas.QueueCursor{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) > 128 {
		return sagas.QueueCursor{}, errBadPageToken
	}
	at, id, ok := strings.Cut(string(raw), ".")
	n, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || n <= 0 || id == "" {
		return sagas.QueueCursor{}, errBadPageToken
	}
	return sagas.QueueCursor{At: time.Unix(0, n), ID: id}, nil
}

// ConfirmBooking is an operator's confirmation of a booking in their
// queue, with the clinic's id of the appointment it made.
type ConfirmBooking struct {
	Operator         auth.Operator
	ID               string
	MISAppointmentID string
}

// DeclineBooking is an operator's refusal of a booking in their queue:
// Code, one of sagas.DeclineCodes, says why (the citizen reads its
// sentence; events and the audit trail carry the code); Note is optional
// plain text for the citizen, shown on the booking only. Reason is the
// same free text under the name issue 9's API gives it: it is the note,
// and without a Code the decline is sagas.DeclineOther, the generic one.
// Reason and Note together are refused (one text, two names).
type DeclineBooking struct {
	Operator auth.Operator
	ID       string
	Code     string
	Note     string
	Reason   string
}

// DeclineCode is the code the decline is recorded with: Code, or
// sagas.DeclineOther when only a Reason was given.
func (c DeclineBooking) DeclineCode() sagas.DeclineCode {
	if c.Code == "" && strings.TrimSpace(c.Reason) != "" {
		return sagas.DeclineOther
	}
	return sagas.DeclineCode(c.Code)
}

// text is the operator's words for the citizen, trimmed and checked under
// the name they were given.
func (c DeclineBooking) text() (string, error) {
	if c.Reason != "" && c.Note != "" {
		return "", errReasonAndNote
	}
	if c.Reason != "" {
		return checkedText(strings.TrimSpace(c.Reason), errBadReason, errReasonIdentifier)
	}
	return checkedText(strings.TrimSpace(c.Note), errBadNote, errNoteIdentifier)
}

// AcknowledgeCancellation is an operator's word that the clinic knows of
// a citizen's cancellation.
type AcknowledgeCancellation struct {
	Operator auth.Operator
	ID       string
}

// maxNote bounds a decline note: a sentence or two for the citizen.
const maxNote = 500

var (
	misAppointmentIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:/-]{1,128}$`)
	errBadAppointmentID     = Invalid("mis_appointment_id must be 1-128 letters, digits, '.', '_', ':', '/' or '-'")
	errBadNote              = Invalid(fmt.Sprintf("note must be at most %d characters of plain text, without control characters", maxNote))
	errNoteIdentifier       = Invalid("note must not hold a SNILS or OMS number (11 or more digits in a run): it is stored as text; write a phone number with its area code in parentheses")
	errBadDeclineCode       = Invalid(fmt.Sprintf("reason_code must be one of %s (or leave it out and give reason, the clinic's words: the code is then %s)", joinCodes(sagas.DeclineCodes()), sagas.DeclineOther))
	errBadReason            = Invalid(fmt.Sprintf("reason must be at most %d characters of plain text, without control characters", maxNote))
	errReasonIdentifier     = Invalid("reason must not hold a SNILS or OMS number (11 or more digits in a run): it is stored as text; write a phone number with its area code in parentheses")
	errReasonAndNote        = Invalid("give the clinic's words as reason or as note, not both: they are the same text")
)

func joinCodes(codes []sagas.DeclineCode) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// ConfirmBooking records the clinic's appointment and confirms the
// booking; the citizen sees it confirmed. ErrNotFound for a booking that
// is not in the operator's region's queue; ErrConflict for one that no
// longer awaits confirmation (declined, expired, cancelled, or confirmed
// with another appointment id), sagas.ErrDeadlinePassed once its deadline
// is past. Confirming again with the same appointment id answers the
// booking as it stands.
func (s *Service) ConfirmBooking(ctx context.Context, cmd ConfirmBooking) (Booking, error) {
	if !misAppointmentIDPattern.MatchString(cmd.MISAppointmentID) {
		return Booking{}, errBadAppointmentID
	}
	return s.operatorAct(ctx, cmd.Operator, cmd.ID, func(b *sagas.Booking) (bool, error) {
		if b.ConfirmedAs(cmd.MISAppointmentID) {
			return true, nil
		}
		return false, b.OperatorConfirm(cmd.MISAppointmentID, s.cfg.Now())
	})
}

// DeclineBooking rejects the booking for the operator's code, and its slot
// is offered again. Errors as ConfirmBooking; declining again with the
// same code answers the booking as it stands.
func (s *Service) DeclineBooking(ctx context.Context, cmd DeclineBooking) (Booking, error) {
	code := cmd.DeclineCode()
	if _, ok := sagas.DeclineReason(code); !ok {
		return Booking{}, errBadDeclineCode
	}
	note, err := cmd.text()
	if err != nil {
		return Booking{}, err
	}
	return s.operatorAct(ctx, cmd.Operator, cmd.ID, func(b *sagas.Booking) (bool, error) {
		if b.DeclinedAs(code) {
			return true, nil
		}
		return false, b.OperatorDecline(code, note, s.cfg.Now())
	})
}

// AcknowledgeCancellation records the citizen's cancellation as done at
// the clinic, and the slot is offered again. Errors as ConfirmBooking.
func (s *Service) AcknowledgeCancellation(ctx context.Context, cmd AcknowledgeCancellation) (Booking, error) {
	return s.operatorAct(ctx, cmd.Operator, cmd.ID, func(b *sagas.Booking) (bool, error) {
		return false, b.OperatorAcknowledgeCancel(s.cfg.Now())
	})
}

// errRepeated aborts an update that would change nothing: the action was
// done already, with the same effect.
var errRepeated = errors.New("the action was done already")

// operatorAct applies act to booking id if the operator may see it, and
// returns the booking as act left it, captured inside the update: once
// the change is committed, nothing can turn the answer into an error. act
// reports done when the booking already shows the action's effect (a
// repeat, answered as a success without a write). Update hands act the
// booking without its earlier timeline: the answer carries its status and
// reason, which is all an operator's answer shows.
func (s *Service) operatorAct(ctx context.Context, op auth.Operator, id string, act func(*sagas.Booking) (done bool, err error)) (Booking, error) {
	var after *sagas.Booking
	err := s.cfg.Bookings.Update(ctx, id, func(b *sagas.Booking) error {
		if !visibleTo(op, b) {
			return errNotTheOperators
		}
		done, err := act(b)
		after = b
		if err == nil && done {
			return errRepeated
		}
		return err
	})
	switch {
	case errors.Is(err, contracts.ErrNotFound) || errors.Is(err, errNotTheOperators):
		return Booking{}, fmt.Errorf("booking: %w", contracts.ErrNotFound) // as for a missing one
	case err != nil && !errors.Is(err, errRepeated):
		return Booking{}, err
	}
	s.taken.forget(after.Region) // a slot it freed is offered by this instance's next search
	return toBooking(after), nil
}

// ReadPatient asks for the identifiers of the patient of a booking in the
// operator's queue, which the operator gives the clinic.
type ReadPatient struct {
	Operator auth.Operator
	ID       string
}

// ReadPatient opens the sealed identifiers of a booking that awaits the
// operator's confirmation. ErrNotFound as ConfirmBooking;
// ErrPatientErased once the booking no longer awaits the operator. The
// caller records the disclosure (the API's audit trail).
func (s *Service) ReadPatient(ctx context.Context, q ReadPatient) (contracts.Patient, error) {
	b, err := s.cfg.Bookings.Get(ctx, q.ID)
	switch {
	case errors.Is(err, contracts.ErrNotFound) || (err == nil && !visibleTo(q.Operator, b)):
		return contracts.Patient{}, fmt.Errorf("booking: %w", contracts.ErrNotFound) // as for a missing one
	case err != nil:
		return contracts.Patient{}, err
	case b.Step != sagas.StepOperator || b.PatientSealed == nil:
		return contracts.Patient{}, ErrPatientErased
	}
	return sagas.OpenPatient(s.cfg.Sealer, b.ID, b.PatientSealed)
}

var errNotTheOperators = errors.New("booking is not in the operator's region's queue")

// visibleTo: an operator sees the operator-driven bookings of their region.
func visibleTo(op auth.Operator, b *sagas.Booking) bool {
	return op.Region != "" && b.Region == op.Region && b.ViaOperator()
}

// checkedText keeps a decline note (or reason) to plain text the citizen
// can read. It goes nowhere but the booking's timeline (never events, logs
// or the audit trail), which is stored as text: nothing shaped like a
// SNILS or OMS number, by the audit trail's rule (one rule for typed
// text). A phone number as usually written, "+7 (423) 123-45-67", passes.
// bad and identifier are the refusals, named for the field.
func checkedText(note string, bad, identifier error) (string, error) {
	if len(note) > maxNote || !utf8.ValidString(note) {
		return "", bad
	}
	for _, c := range note {
		if unicode.IsControl(c) {
			return "", bad
		}
	}
	if audit.LooksLikeIdentifier(note) {
		return "", identifier
	}
	return note, nil
}
