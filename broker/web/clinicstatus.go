package web

import (
	"crypto/rand"
	"net/http"
	"strings"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// The operator page's part for confirmed bookings: a feed region's clinic
// has no MIS to call the broker back, so its operator records here what
// the clinic did (bookings.Service.RecordClinicStatus), one form per
// action.

// confirmedView is one confirmed booking of the operator's region, with
// its time in the region's zone and whether its visit may be recorded.
type confirmedView struct {
	bookings.ConfirmedBooking
	When, Zone string
	// Started: the appointment's start has passed, so visited and
	// no-show may be recorded (the rule of clinic events).
	Started bool
	// Key, fresh for each rendering, makes each form's Idempotency-Key
	// (Key-status): a form sent twice (a double click, a resubmit after a
	// lost answer) records the change once.
	Key string
}

// clinicReasonView is one of the clinic's reasons for a cancellation,
// with the sentence the citizen reads.
type clinicReasonView struct{ Code, Text string }

// confirmedOf lists the operator's confirmed bookings and the clinic's
// cancellation reasons in the reader's language.
func (s *Server) confirmedOf(r *http.Request, op auth.Operator) ([]confirmedView, []clinicReasonView, error) {
	list, err := s.cfg.Bookings.ReadConfirmed(r.Context(), op)
	if err != nil {
		return nil, nil, err
	}
	loc, now := s.location(op.Region), time.Now()
	out := make([]confirmedView, 0, len(list))
	for _, b := range list {
		start := b.Slot.Start.In(loc)
		out = append(out, confirmedView{ConfirmedBooking: b, When: start.Format("2006-01-02 15:04"), Zone: zoneOf(start),
			Started: !now.Before(b.Slot.Start), Key: rand.Text()})
	}
	lang := langOf(r)
	reasons := make([]clinicReasonView, 0, len(contracts.ClinicCancelReasons))
	for _, c := range contracts.ClinicCancelReasons {
		reasons = append(reasons, clinicReasonView{Code: c, Text: sagas.Text(sagas.ClinicCancelCode(c), lang)})
	}
	return out, reasons, nil
}

// errBadLocalTime refuses a new time the form's field did not give.
var errBadLocalTime = bookings.Invalid("The new time must be a date and time, like 2026-12-24 10:00, in the region's own time.")

// clinicStatus records what the clinic did to a confirmed booking: the
// form's status, reason, note and (for moved) the new start in the
// region's time; the history shows it moments later.
func (s *Server) clinicStatus(w http.ResponseWriter, r *http.Request, op auth.Operator) {
	s.act(w, r, audit.OperatorClinicStatus, func(id string) (string, error) {
		cmd := bookings.RecordClinicStatus{Operator: op, ID: id, Status: r.PostFormValue("status"),
			ReasonCode: r.PostFormValue("reason_code"), Note: r.PostFormValue("note"), Key: r.PostFormValue("key")}
		if v := strings.TrimSpace(r.PostFormValue("start")); v != "" {
			start, err := time.ParseInLocation("2006-01-02T15:04", v, s.location(op.Region))
			if err != nil {
				return "", errBadLocalTime
			}
			cmd.Start = start
		}
		_, err := s.cfg.Bookings.RecordClinicStatus(r.Context(), cmd)
		reason := cmd.Status // the audit record keeps the status and code, never the note
		if cmd.ReasonCode != "" {
			reason += ":" + cmd.ReasonCode
		}
		return reason, err
	})
}
