package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// problem is an RFC 9457 problem details document. Code is a stable,
// machine-readable extension member clients can switch on; CorrelationID
// names the request in the broker's logs. There is no instance member:
// the request's path would echo the caller's input (ids of any length),
// and two answers of one problem differ only in their correlation id.
type problem struct {
	Type          string `json:"type"`
	Title         string `json:"title"`
	Status        int    `json:"status"`
	Detail        string `json:"detail"`
	Code          string `json:"code"`
	CorrelationID string `json:"correlation_id,omitempty"`
	// ConflictingBooking, for booking-overlaps only, is the citizen's own
	// booking the slot overlaps: the citizen's data, never another's.
	ConflictingBooking *conflictingBooking `json:"conflicting_booking,omitempty"`
}

// conflictingBooking is the extension member of a booking-overlaps problem.
type conflictingBooking struct {
	ID    string    `json:"id"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

const problemBase = "/problems/" // a relative type (RFC 9457 §3.1.1) names this server's page: problempages.go

// maxDetail bounds a detail taken from an error (a bookings.InvalidError),
// however it was made.
const maxDetail = 200

// Errors of the API layer itself, each with the kind it would have for
// anyone who only knows the vocabulary; contracts' sentinels cover the rest.
var (
	errBodyTooLarge         = contracts.NewError(contracts.KindInvalid, "request body too large")
	errKeyReused            = contracts.NewError(contracts.KindConflict, "Idempotency-Key reused with a different request")
	errKeyInFlight          = contracts.NewError(contracts.KindConflict, "a request with this Idempotency-Key is still in progress")
	errKeyMissing           = contracts.NewError(contracts.KindInvalid, "Idempotency-Key header required")
	errUnsupportedMediaType = contracts.NewError(contracts.KindInvalid, "request body is not application/json")
)

// Errors lists the sentinels of the front end with problems of their own
// (ErrUnauthenticated and the booking service's included), for
// tests that check each has its problem.
func Errors() []error {
	return []error{auth.ErrUnauthenticated, auth.ErrWrongRole, errBodyTooLarge, errUnsupportedMediaType, bookings.ErrSlotUnknown,
		errKeyReused, errKeyInFlight, errKeyMissing, bookings.ErrNotCancellable, auth.ErrKeysUnavailable,
		errRateLimited, sagas.ErrDeadlinePassed, bookings.ErrPatientErased, bookings.ErrOverlaps, bookings.ErrTooManyActive,
		bookings.ErrNotReschedulable, bookings.ErrOtherRegion, bookings.ErrMovedByOperators, errRegionNotYours}
}

// problemType is what a client sees of one class of error. The detail is
// the table's, never the error's text, which may hold the caller's input,
// addresses and error chains (the log gets those). Only below 500 may an
// error's own public detail (bookings.InvalidError) say more; from 500 on
// the detail is always the table's, with the region named (regionDetail,
// a format with one %s) when the error is one region's.
type problemType struct {
	status                            int
	code, title, detail, regionDetail string
}

// ownProblems are the API's own errors, looked up (with errors.Is, in this
// order) before the kind of the error is.
var ownProblems = []struct {
	err error
	problemType
}{
	{auth.ErrUnauthenticated, problemType{http.StatusUnauthorized, "unauthenticated", "Sign in to continue",
		"A valid bearer token from the identity provider is required.", ""}},
	{auth.ErrWrongRole, problemType{http.StatusForbidden, "wrong-role", "This endpoint is not for your role",
		"The token is valid, but its role (citizen or regional operator) may not use this endpoint.", ""}},
	{errRegionNotYours, problemType{http.StatusForbidden, "region-not-yours", "This is another region's",
		"The token is a regional operator's, and this endpoint serves only that operator's own region.", ""}},
	{errBodyTooLarge, problemType{http.StatusRequestEntityTooLarge, "body-too-large", "Request body too large",
		fmt.Sprintf("The request body is over %d KiB.", maxBody>>10), ""}},
	{errUnsupportedMediaType, problemType{http.StatusUnsupportedMediaType, "unsupported-media-type", "The body must be JSON",
		"Send the body as Content-Type: application/json (UTF-8).", ""}},
	{errKeyMissing, problemType{http.StatusBadRequest, "idempotency-key-missing", "Idempotency-Key header required",
		"This request needs an Idempotency-Key header.", ""}},
	{errKeyReused, problemType{http.StatusUnprocessableEntity, "idempotency-key-reused", "Idempotency-Key was used for another request",
		"This Idempotency-Key belongs to another request; use a new key.", ""}},
	{errKeyInFlight, problemType{http.StatusConflict, "idempotency-key-in-flight", "The same request is still being processed",
		"A request with this Idempotency-Key is still running; retry with the same key shortly.", ""}},
	{bookings.ErrSlotUnknown, problemType{http.StatusUnprocessableEntity, "slot-unknown", "The clinic does not offer this slot",
		"The region's medical information system does not know this slot; search again.", ""}},
	{bookings.ErrOverlaps, problemType{http.StatusConflict, "booking-overlaps", "You already have a booking at this time",
		"Another of your bookings overlaps this slot in time. Cancel it or choose another time.", ""}},
	{bookings.ErrTooManyActive, problemType{http.StatusConflict, "too-many-active-bookings", "You have as many active bookings as one citizen may hold",
		"You already hold the most active bookings one citizen may. Cancel one, or book again after a visit.", ""}},
	{bookings.ErrNotCancellable, problemType{http.StatusConflict, "not-cancellable", "This booking cannot be cancelled now",
		"Only a confirmed booking can be cancelled.", ""}},
	{bookings.ErrNotReschedulable, problemType{http.StatusConflict, "not-reschedulable", "This booking cannot be moved now",
		"Only a confirmed booking made on the portal can be moved, and one move at a time.", ""}},
	{bookings.ErrOtherRegion, problemType{http.StatusUnprocessableEntity, "reschedule-other-region", "A booking moves only within its region",
		"The new slot is in another region than the booking. Choose a slot of the booking's region, or cancel the booking and book in the other region.", ""}},
	{bookings.ErrMovedByOperators, problemType{http.StatusConflict, "reschedule-by-operators", "This region's bookings are not moved on the portal",
		"The booking's region takes bookings through its clinics' operators, who do not move them yet. Book the new time and then cancel this booking, or call the clinic.", ""}},
	{sagas.ErrDeadlinePassed, problemType{http.StatusConflict, "deadline-passed", "The booking's deadline has passed",
		"The booking waited longer than its deadline and is failing as unanswered; it cannot be confirmed. Nothing was booked for the citizen.", ""}},
	{bookings.ErrPatientErased, problemType{http.StatusConflict, "patient-erased", "The patient's identifiers are erased",
		"The booking no longer awaits the operator, so the patient's identifiers were erased.", ""}},
	{contracts.ErrRegionBusy, problemType{http.StatusServiceUnavailable, "region-busy", "The region is busier than it can confirm in time",
		"The region's medical information system has more bookings waiting than it can confirm in time. Nothing was booked; please try again in a few minutes.",
		"The medical information system of region %s has more bookings waiting than it can confirm in time. Nothing was booked; please try again in a few minutes."}},
	{contracts.ErrStoreUnavailable, problemType{http.StatusServiceUnavailable, "service-unavailable", "The service cannot record requests right now",
		"The service cannot save requests at the moment. Nothing was recorded; please try again in a little while.", ""}},
	{auth.ErrKeysUnavailable, problemType{http.StatusServiceUnavailable, "sign-in-unavailable", "Sign-in cannot be checked right now",
		"The identity provider's keys could not be refreshed for too long, so no token can be checked. Please try again later.", ""}},
	{errRateLimited, problemType{http.StatusTooManyRequests, "rate-limited", "Too many requests",
		"Too many requests in a short time. Try again after the number of seconds in the Retry-After header.", ""}},
}

// kindProblems maps every kind of contracts.Kinds to its problem.
var kindProblems = map[contracts.Kind]problemType{
	contracts.KindInvalid: {http.StatusBadRequest, "invalid-request", "The request is not valid",
		"The request is not valid.", ""},
	contracts.KindNotFound: {http.StatusNotFound, "not-found", "Not found",
		"There is nothing here, or nothing the caller may see.", ""},
	contracts.KindConflict: {http.StatusConflict, "conflict", "The request conflicts with the current state",
		"The request collides with another change in progress; read again and retry.", ""},
	contracts.KindSlotTaken: {http.StatusConflict, "slot-taken", "This slot was taken by someone else",
		"Another patient has this slot; choose another.", ""},
	contracts.KindHoldExpired: {http.StatusConflict, "hold-expired", "The clinic's reservation of this slot expired",
		"The clinic's hold of this slot lapsed; ask for it anew.", ""},
	contracts.KindNotAttached: {http.StatusUnprocessableEntity, "not-attached", "You are not attached to this clinic",
		"Primary care at this clinic is for the patients attached to it.", ""},
	contracts.KindReferralRequired: {http.StatusUnprocessableEntity, "referral-required", "This specialist sees patients only with a referral",
		"This specialist needs a referral from your primary care doctor.", ""},
	contracts.KindUnavailable: {http.StatusServiceUnavailable, "region-unavailable", "The region's medical information system is unavailable",
		"The region's medical information system is unavailable; try again later.",
		"The medical information system of region %s is unavailable; try again later."},
	contracts.KindOutcomeUnknown: {http.StatusServiceUnavailable, "outcome-unknown", "The region did not confirm the request; please try again",
		"The region's medical information system did not confirm the request; retry with the same Idempotency-Key.",
		"The medical information system of region %s did not confirm the request; retry with the same Idempotency-Key."},
	contracts.KindUnsupported: {http.StatusNotImplemented, "unsupported", "This request is not supported yet",
		"The region's medical information system does not offer this yet.",
		"The medical information system of region %s does not offer this yet."},
	contracts.KindInternal: {http.StatusInternalServerError, "internal", "Internal error",
		"Something went wrong on our side. Please try again later.", ""},
}

// problemFor is the one place that maps an error to an HTTP status and the
// words a client sees. An unclassified error becomes a 500 that reveals
// nothing; a failed sign-in a 401 that explains only what is needed.
func problemFor(err error) problem { return problemIn(err, sagas.LangEN) }

// problemIn is problemFor in the reader's language (russianProblems).
func problemIn(err error, lang sagas.Lang) problem {
	pt, ok := ownProblem(err)
	if !ok {
		pt, ok = kindProblems[contracts.KindOf(err)]
	}
	if !ok {
		pt = kindProblems[contracts.KindInternal]
	}
	pt = pt.inLanguage(lang)
	pr := pt.problem(publicDetail(pt, err))
	var overlap *bookings.OverlapError
	if errors.As(err, &overlap) {
		pr.ConflictingBooking = &conflictingBooking{ID: overlap.Other, Start: overlap.Start, End: overlap.End}
	}
	return pr
}

func (pt problemType) problem(detail string) problem {
	return problem{Type: problemBase + pt.code, Title: pt.title, Status: pt.status, Code: pt.code, Detail: detail}
}

// publicDetail is the detail of pt for err: see problemType.
func publicDetail(pt problemType, err error) string {
	if region, ok := bookings.RegionOf(err); ok && pt.regionDetail != "" && contracts.ValidRegionCode(region) {
		return fmt.Sprintf(pt.regionDetail, region)
	}
	var public interface{ PublicDetail() string }
	if pt.status < 500 && errors.As(err, &public) {
		if d := public.PublicDetail(); d != "" && len(d) <= maxDetail {
			return d
		}
	}
	return pt.detail
}

func ownProblem(err error) (problemType, bool) {
	for _, own := range ownProblems {
		if errors.Is(err, own.err) {
			return own.problemType, true
		}
	}
	return problemType{}, false
}

// ProblemFor returns the HTTP status and problem code the API answers err
// with, for tests and documentation outside this package.
func ProblemFor(err error) (status int, code string) {
	pr := problemFor(err)
	return pr.Status, pr.Code
}

// writeError answers with the problem for err, logging server-side faults
// with the whole error and the correlation id the answer carries.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	pr := problemIn(err, langOf(w, r))
	if pr.Status >= 500 {
		level := slog.LevelError
		if pr.Status == http.StatusServiceUnavailable {
			level = slog.LevelWarn
			w.Header().Set("Retry-After", "30")
		}
		s.logger.Log(r.Context(), level, "request failed", "path", r.URL.Path,
			"correlation_id", CorrelationID(r.Context()), "err", err)
	}
	setRetryAfter(w, err) // the error's own delay, when it names one, over the 30 s default
	if pr.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="federation"`)
	}
	writeProblem(w, r, pr)
}

// writeProblem answers with pr, naming the request by its correlation id.
func writeProblem(w http.ResponseWriter, r *http.Request, pr problem) {
	pr.CorrelationID = CorrelationID(r.Context())
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(pr.Status)
	_ = json.NewEncoder(w).Encode(pr)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
