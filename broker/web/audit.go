package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
)

// bookingIDPattern bounds a booking id taken from a path or a form.
var bookingIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

var errBadBookingID = bookings.Invalid("the booking id is malformed")

// errAuditUnavailable: no personal data is shown without its record.
var errAuditUnavailable = fmt.Errorf("audit record not written: %w", contracts.ErrStoreUnavailable)

// record writes the audit record of one access to a citizen's data, as
// the API's auditAccess does for its routes: who (the citizen's keyed
// pseudonym, or the operator's id and region), what, which booking, and
// the status of the answer. The page is shown only once it is stored.
func (s *Server) record(r *http.Request, action audit.Action, bookingID string, err error, reason string) error {
	status := http.StatusOK
	if err != nil {
		status, _, _ = explain(err)
	}
	rec := audit.Record{ActorKind: audit.Citizen, Action: action, Status: status, Outcome: audit.OutcomeOf(status),
		Client: audit.ClientClass(s.clientAddress(r)), BookingID: bookingID, Reason: reason}
	if op, ok := auth.OperatorFrom(r.Context()); ok {
		rec.ActorKind, rec.Actor = audit.RegionalOperator, op.ID+"@"+op.Region
	} else if a, ok := auth.AnalystFrom(r.Context()); ok {
		rec.ActorKind, rec.Actor = audit.Analyst, a.ID
	} else if c, ok := auth.CitizenFrom(r.Context()); ok {
		rec.Actor = s.cfg.Bookings.CitizenKey(c)
	}
	if !audit.FitsBookingID(rec.BookingID) {
		rec.BookingID, rec.Target = "", audit.MalformedBookingID
	}
	// Recorded even though the reader may have gone.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if _, aerr := s.cfg.Audit.Append(ctx, rec); aerr != nil {
		s.cfg.Logger.Error("web: audit record not written; page withheld", "err", aerr)
		return errAuditUnavailable
	}
	return nil
}

// pathID is the booking id of the request's path, checked.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !bookingIDPattern.MatchString(id) {
		return "", errBadBookingID
	}
	return id, nil
}
