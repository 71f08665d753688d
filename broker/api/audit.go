package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/go-chi/chi/v5"
)

// auditedRoutes are the routes that read or change a citizen's personal
// data, each with the action its audit record names. A test holds every
// one to the router, so a renamed route cannot drop out of the trail.
var auditedRoutes = map[string]audit.Action{
	"POST /api/v1/bookings":             audit.BookingCreate,
	"GET /api/v1/bookings":              audit.BookingList,
	"GET /api/v1/bookings/{id}":         audit.BookingRead,
	"POST /api/v1/bookings/{id}/cancel": audit.BookingCancel,
	// An operator reads no identifier, but sees who booked what slot and
	// decides for the citizen: every call is in the trail too.
	"GET /api/v1/operator/queue":                      audit.OperatorQueueRead,
	"POST /api/v1/operator/bookings/{id}/confirm":     audit.OperatorConfirm,
	"POST /api/v1/operator/bookings/{id}/decline":     audit.OperatorDecline,
	"POST /api/v1/operator/bookings/{id}/acknowledge": audit.OperatorAcknowledge,
	"POST /api/v1/operator/bookings/{id}/status":      audit.OperatorClinicStatus,
	// The one disclosure of a citizen's identifiers to an operator.
	"GET /api/v1/operator/bookings/{id}/patient": audit.OperatorPatientRead,
	// An analyst reads aggregates only, suppressed; the trail still says
	// who looked at what.
	"GET /api/v1/analytics/overview":       audit.AnalyticsRead,
	"GET /api/v1/analytics/regions/{code}": audit.AnalyticsRead,
	"GET /api/v1/analytics/waiting-times":  audit.AnalyticsRead,
	"GET /api/v1/analytics/cancellations":  audit.AnalyticsRead,
	"GET /api/v1/analytics/no-shows":       audit.AnalyticsRead,
	"GET /api/v1/analytics/reschedules":    audit.AnalyticsRead,
	// No personal data, but a region's health read by an analyst or an
	// operator: in the trail like every other signed-in read.
	"GET /api/v1/regions/{code}/conformance": audit.RegionConformanceRead,
	"GET /api/v1/operator/region":            audit.OperatorRegionRead,
}

// statusCallerGone is recorded when the caller hung up before an answer
// (nginx's 499): the data was read but not disclosed.
const statusCallerGone = 499

// errAuditUnavailable answers a request whose audit record could not be
// written: no personal data leaves without its record.
var errAuditUnavailable = contracts.NewError(contracts.KindInternal, "audit record not written")

// auditAccess records every call of an audited route in the audit trail,
// after the auth middleware (the citizen is known) and before the answer
// leaves: the answer is held until its record is stored, and replaced by
// a 500 when it cannot be (a state change made meanwhile is safe: its
// Idempotency-Key replays the answer to the retry, which is recorded).
func (s *Server) auditAccess(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action, ok := auditedRoutes[r.Method+" "+chi.RouteContext(r.Context()).RoutePattern()]
		if !ok || s.cfg.Audit == nil {
			next.ServeHTTP(w, r)
			return
		}
		held := &heldAnswer{header: http.Header{}}
		next.ServeHTTP(held, r)
		if held.status == 0 && r.Context().Err() != nil {
			held.status = statusCallerGone
		}
		// Recorded even though the caller may have hung up.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
		defer cancel()
		if _, err := s.cfg.Audit.Append(ctx, s.accessRecord(r, action, held)); err != nil {
			s.logger.Error("audit record not written; answer withheld", "correlation_id", CorrelationID(ctx), "err", err)
			if errors.Is(err, contracts.ErrStoreUnavailable) {
				err = fmt.Errorf("%w: %w", errAuditUnavailable, err) // 503: repeat when the store is back
			} else {
				err = errAuditUnavailable
			}
			s.writeError(w, r, err)
			return
		}
		held.sendTo(w)
	})
}

// accessRecord says who (the citizen's keyed pseudonym, never the subject
// or SNILS), what, which booking and with what answer.
func (s *Server) accessRecord(r *http.Request, action audit.Action, held *heldAnswer) audit.Record {
	status := held.status
	if status == 0 {
		status = http.StatusOK
	}
	rec := audit.Record{
		ActorKind: audit.Citizen, Actor: s.cfg.Bookings.CitizenKey(citizen(r)), Action: action,
		Status: status, Outcome: audit.OutcomeOf(status), CorrelationID: CorrelationID(r.Context()),
		Client: audit.ClientClass(s.clientAddress(r)),
	}
	if op, ok := auth.OperatorFrom(r.Context()); ok {
		rec.ActorKind, rec.Actor = audit.RegionalOperator, op.ID+"@"+op.Region
		if action == audit.OperatorDecline && status < 300 {
			rec.Reason = declinedCode(held.body.Bytes())
		}
		if action == audit.OperatorClinicStatus && status < 300 {
			rec.Reason = recordedStatus(held.body.Bytes())
		}
	}
	if a, ok := auth.AnalystFrom(r.Context()); ok {
		rec.ActorKind, rec.Actor = audit.Analyst, a.ID
	}
	rec.BookingID = chi.URLParam(r, "id")
	if code := chi.URLParam(r, "code"); contracts.ValidRegionCode(code) {
		rec.Target = "region " + code
	}
	if action == audit.BookingCreate && status < 300 {
		var created struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(held.body.Bytes(), &created)
		rec.BookingID = created.ID
	}
	if !audit.FitsBookingID(rec.BookingID) {
		// A probe with a 10 kB id is recorded as such, not copied.
		rec.BookingID, rec.Target = "", audit.MalformedBookingID
	}
	return rec
}

// heldAnswer keeps a handler's answer until its audit record is stored.
// Hand-written because it must hold the whole answer back, which the
// response-writer wrappers around (httpsnoop, chi's) do not do.
type heldAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldAnswer) Header() http.Header { return h.header }

func (h *heldAnswer) WriteHeader(status int) {
	if h.status == 0 {
		h.status = status
	}
}

func (h *heldAnswer) Write(p []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(p)
}

// sendTo writes the held answer to w.
func (h *heldAnswer) sendTo(w http.ResponseWriter) {
	for k, v := range h.header {
		w.Header()[k] = v
	}
	if h.status == 0 {
		h.status = http.StatusOK
	}
	w.WriteHeader(h.status)
	_, _ = w.Write(h.body.Bytes())
}

// clientAddress is the caller's address as the rate limits see it: behind
// a trusted proxy, the client's from X-Forwarded-For, not the proxy's
// (the pages' audit records read it the same way).
func (s *Server) clientAddress(r *http.Request) string { return s.limits.ClientHost(r) }
