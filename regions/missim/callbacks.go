package missim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// CallbackTarget is where a simulator sends its status callbacks: the
// broker's URL for the region and the region's signing secret (whsec_).
type CallbackTarget struct {
	URL    string
	Secret string
}

// Encoder renders a change in a kind's callback wire: the headers of its
// request (Content-Type, SOAPAction) and its body.
type Encoder func(misv2.StatusCallback) (http.Header, []byte, error)

// JSONCallback is the fhir kind's encoder: contract misv2 1.1's JSON body.
func JSONCallback(cb misv2.StatusCallback) (http.Header, []byte, error) {
	body, err := json.Marshal(cb)
	return http.Header{"Content-Type": {misv2.CallbackContentType}}, body, err
}

// Callback results, as the admin answer reports them.
const (
	CallbackNone         = "none"         // the kind sends no callbacks (jsonrpc)
	CallbackUnconfigured = "unconfigured" // no target set
	CallbackDropped      = "dropped"      // Faults.CallbackDropRate
	CallbackSent         = "sent"
	CallbackDuplicated   = "duplicated" // Faults.CallbackDuplicateRate: sent twice, one webhook-id
	CallbackFailed       = "failed"     // no 2xx after the retries
)

// CallbackReport says what became of one change's callback.
type CallbackReport struct {
	Result    string `json:"result"`
	WebhookID string `json:"webhook_id,omitempty"`
	// Status is the broker's last HTTP status (0: none came).
	Status int `json:"status,omitempty"`
}

// Notifier signs and sends one simulator's callbacks in the Standard
// Webhooks manner, with the faults of its simulator. It is safe for
// concurrent use.
type Notifier struct {
	region string
	encode Encoder
	faults func() Faults
	target atomic.Pointer[CallbackTarget]
	seq    atomic.Int64
	client *http.Client
	log    *slog.Logger
	// unsigned is QuirkUnsignedCallback: no webhook-signature header.
	unsigned bool
}

// NewNotifier sends region's callbacks encoded by encode (nil: the kind
// sends none), reading the fault rates from faults on each send.
func NewNotifier(region string, encode Encoder, faults func() Faults, log *slog.Logger) *Notifier {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{region: region, encode: encode, faults: faults, log: log, client: &http.Client{Timeout: 5 * time.Second}}
}

// WithQuirks gives n the callback quirks of q (QuirkUnsignedCallback)
// and returns it; a simulator calls it once, before any send.
func (n *Notifier) WithQuirks(q Quirks) *Notifier {
	n.unsigned = q.Has(QuirkUnsignedCallback)
	return n
}

// SetTarget points the callbacks at t (a zero t stops them).
func (n *Notifier) SetTarget(t CallbackTarget) error {
	if t.URL == "" {
		n.target.Store(nil)
		return nil
	}
	if _, err := standardwebhooks.NewWebhook(t.Secret); err != nil {
		return errors.New("missim: the callback secret is not whsec_ base64")
	}
	n.target.Store(&t)
	return nil
}

// Sends reports whether the kind sends callbacks at all.
func (n *Notifier) Sends() bool { return n.encode != nil }

// Send reports cb to the target: dropped, or sent (twice when the
// duplicate fault says so, with one webhook-id), retrying a delivery that
// got no 2xx up to three times, as a sender of Standard Webhooks does.
func (n *Notifier) Send(ctx context.Context, cb misv2.StatusCallback) CallbackReport {
	t := n.target.Load()
	switch {
	case n.encode == nil:
		return CallbackReport{Result: CallbackNone}
	case t == nil:
		return CallbackReport{Result: CallbackUnconfigured}
	}
	id := fmt.Sprintf("msg_%s_%d_%s", n.region, n.seq.Add(1), cb.Data.AppointmentID)
	f := n.faults()
	if f.CallbackDropRate > 0 && rand.Float64() < f.CallbackDropRate {
		n.log.Info("callback dropped (fault)", "webhook_id", id, "type", cb.Type)
		return CallbackReport{Result: CallbackDropped, WebhookID: id}
	}
	header, body, err := n.encode(cb)
	if err != nil {
		return CallbackReport{Result: CallbackFailed, WebhookID: id}
	}
	rep := n.deliver(ctx, *t, id, header, body)
	if rep.Result == CallbackSent && f.CallbackDuplicateRate > 0 && rand.Float64() < f.CallbackDuplicateRate {
		again := n.deliver(ctx, *t, id, header, body)
		rep.Result, rep.Status = CallbackDuplicated, again.Status
	}
	return rep
}

// deliver POSTs one delivery until a 2xx or a 4xx (which a retry cannot
// change), at most three times.
func (n *Notifier) deliver(ctx context.Context, t CallbackTarget, id string, header http.Header, body []byte) CallbackReport {
	wh, _ := standardwebhooks.NewWebhook(t.Secret) // checked by SetTarget
	rep := CallbackReport{Result: CallbackFailed, WebhookID: id}
	for attempt := range 3 {
		if attempt > 0 && !pause(ctx, time.Duration(attempt)*100*time.Millisecond) {
			return rep
		}
		now := time.Now()
		sig, _ := wh.Sign(id, now, body)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
		if err != nil {
			return rep
		}
		for k, v := range header {
			req.Header[k] = v
		}
		req.Header.Set(standardwebhooks.HeaderWebhookID, id)
		req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
		if !n.unsigned {
			req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
		}
		resp, err := n.client.Do(req)
		if err != nil {
			n.log.Warn("callback not delivered", "webhook_id", id, "err", err)
			continue
		}
		_ = resp.Body.Close()
		rep.Status = resp.StatusCode
		if resp.StatusCode/100 == 2 {
			rep.Result = CallbackSent
			return rep
		}
		if resp.StatusCode < 500 {
			return rep
		}
	}
	return rep
}

func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// StatusRequest is the body of POST /admin/appointments/{id}/status: a
// change made at the clinic.
type StatusRequest struct {
	// Status is cancelled, moved, visited or no-show.
	Status string `json:"status"`
	// Reason (cancelled) is one of misv2.CancelReasons; default other.
	Reason string `json:"reason,omitempty"`
	// SlotID (moved) is the free slot the appointment moves to.
	SlotID string `json:"slot_id,omitempty"`
}

// The statuses StatusRequest takes.
const (
	ChangeCancelled = "cancelled"
	ChangeMoved     = "moved"
	ChangeVisited   = "visited"
	ChangeNoShow    = "no-show"
)

// Check reports what is wrong with r.
func (r *StatusRequest) Check() error {
	switch r.Status {
	case ChangeCancelled:
		if r.Reason == "" {
			r.Reason = "other"
		}
		if !slices.Contains(misv2.CancelReasons, r.Reason) {
			return fmt.Errorf("%w: reason must be one of %v", ErrBadChange, misv2.CancelReasons)
		}
	case ChangeMoved:
		if r.SlotID == "" {
			return fmt.Errorf("%w: moved needs slot_id, the free slot to move to", ErrBadChange)
		}
	case ChangeVisited, ChangeNoShow:
	default:
		return fmt.Errorf("%w: status must be cancelled, moved, visited or no-show", ErrBadChange)
	}
	return nil
}

// ElsewhereRequest is the body of POST /admin/appointments: an appointment
// booked for a patient through another channel (phone, registry desk...).
// SlotID names a free slot; without one, Start and End make a walk-in
// appointment outside the schedule (with the first doctor), which may lie
// in the past.
type ElsewhereRequest struct {
	SlotID  string    `json:"slot_id,omitempty"`
	Start   time.Time `json:"start,omitzero"`
	End     time.Time `json:"end,omitzero"`
	SNILS   string    `json:"snils,omitempty"`
	OMS     string    `json:"oms,omitempty"`
	Channel string    `json:"channel"`
}

// Check reports what is wrong with r.
func (r *ElsewhereRequest) Check() error {
	switch {
	case !slices.Contains(misv2.Channels, r.Channel):
		return fmt.Errorf("%w: channel must be one of %v", ErrBadChange, misv2.Channels)
	case r.SNILS == "" && r.OMS == "":
		return fmt.Errorf("%w: snils or oms is required", ErrBadChange)
	case r.SlotID == "" && (r.Start.IsZero() || !r.End.After(r.Start)):
		return fmt.Errorf("%w: slot_id, or start and end in order", ErrBadChange)
	}
	return nil
}

// Errors of the clinic's admin changes.
var (
	ErrBadChange     = errors.New("bad change")
	ErrNoAppointment = errors.New("no such appointment")
	ErrNotChangeable = errors.New("the appointment cannot change so")
)

// Change is what a simulator's change made, for the callback: the
// appointment, its new version and time, and (booked elsewhere) who and
// where.
type Change struct {
	AppointmentID string
	Sequence      int64
	Start, End    time.Time
	Specialty     string
	Practitioner  string
	Location      string
}

// CallbackOf is the callback reporting a status change.
func CallbackOf(req StatusRequest, c Change, at time.Time) misv2.StatusCallback {
	cb := misv2.StatusCallback{Timestamp: at.UTC(), Data: misv2.StatusChangeData{AppointmentID: c.AppointmentID, Sequence: c.Sequence}}
	switch req.Status {
	case ChangeCancelled:
		cb.Type, cb.Data.Reason = misv2.CallbackCancelled, req.Reason
	case ChangeMoved:
		cb.Type, cb.Data.Start, cb.Data.End = misv2.CallbackMoved, c.Start, c.End
	case ChangeVisited:
		cb.Type = misv2.CallbackVisited
	case ChangeNoShow:
		cb.Type = misv2.CallbackNoShow
	}
	return cb
}

// ElsewhereCallbackOf is the callback reporting a booking made elsewhere.
func ElsewhereCallbackOf(req ElsewhereRequest, c Change, at time.Time) misv2.StatusCallback {
	return misv2.StatusCallback{Type: misv2.CallbackBookedElsewhere, Timestamp: at.UTC(), Data: misv2.StatusChangeData{
		AppointmentID: c.AppointmentID, Sequence: c.Sequence, Start: c.Start, End: c.End, Channel: req.Channel,
		Patient: &misv2.CallbackPatient{SNILS: req.SNILS, OMS: req.OMS}, Specialty: c.Specialty,
		Practitioner: c.Practitioner, Location: c.Location,
	}}
}

// ClinicAdmin is the clinic's side of a simulator's admin surface: changes
// made at the MIS and bookings made through other channels, each reported
// by the kind's callback (Notifier). AdminHandler serves it when the
// simulator has it.
type ClinicAdmin interface {
	// ChangeStatus changes appointment id as req says and returns what
	// changed; ErrNoAppointment, ErrBadChange, ErrNotChangeable.
	ChangeStatus(id string, req StatusRequest) (Change, error)
	// BookElsewhere books for a patient through another channel.
	BookElsewhere(req ElsewhereRequest) (Change, error)
	// Notifier sends the kind's callbacks.
	Notifier() *Notifier
}
