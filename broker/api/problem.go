package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
)

// problem is an RFC 9457 problem details document. Code is a stable,
// machine-readable extension member clients can switch on.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
}

const problemBase = "/problems/" // a relative type (RFC 9457 §3.1.1) names this server's page: problempages.go

// Errors of the API layer itself, each with the kind it would have for
// anyone who only knows the vocabulary; contracts' sentinels cover the rest.
var (
	errBodyTooLarge = contracts.NewError(contracts.KindInvalid, "request body too large")
	errKeyReused    = contracts.NewError(contracts.KindConflict, "Idempotency-Key reused with a different request")
	errKeyInFlight  = contracts.NewError(contracts.KindConflict, "a request with this Idempotency-Key is still in progress")
	errKeyMissing   = contracts.NewError(contracts.KindInvalid, "Idempotency-Key header required")
)

// Errors lists the sentinels of the front end with problems of their own
// (ErrUnauthenticated and the booking service's included), for
// tests that check each has its problem.
func Errors() []error {
	return []error{auth.ErrUnauthenticated, errBodyTooLarge, bookings.ErrSlotUnknown, errKeyReused, errKeyInFlight, errKeyMissing, bookings.ErrNotCancellable,
		errRateLimited}
}

// problemType is what a client sees of one class of error. The detail is
// the error's text unless fixed says otherwise (where the text could reveal
// more than a client should read).
type problemType struct {
	status             int
	code, title, fixed string
}

// ownProblems are the API's own errors, looked up (with errors.Is, in this
// order) before the kind of the error is.
var ownProblems = []struct {
	err error
	problemType
}{
	{auth.ErrUnauthenticated, problemType{http.StatusUnauthorized, "unauthenticated", "Sign in to continue",
		"A valid bearer token from the identity provider is required."}},
	{errBodyTooLarge, problemType{http.StatusRequestEntityTooLarge, "body-too-large", "Request body too large", ""}},
	{errKeyMissing, problemType{http.StatusBadRequest, "idempotency-key-missing", "Idempotency-Key header required", ""}},
	{errKeyReused, problemType{http.StatusUnprocessableEntity, "idempotency-key-reused", "Idempotency-Key was used for another request", ""}},
	{errKeyInFlight, problemType{http.StatusConflict, "idempotency-key-in-flight", "The same request is still being processed", ""}},
	{bookings.ErrSlotUnknown, problemType{http.StatusUnprocessableEntity, "slot-unknown", "The clinic does not offer this slot", ""}},
	{bookings.ErrNotCancellable, problemType{http.StatusConflict, "not-cancellable", "This booking cannot be cancelled now", ""}},
	{errRateLimited, problemType{http.StatusTooManyRequests, "rate-limited", "Too many requests",
		"Too many requests in a short time. Try again after the number of seconds in the Retry-After header."}},
}

// kindProblems maps every kind of contracts.Kinds to its problem.
var kindProblems = map[contracts.Kind]problemType{
	contracts.KindInvalid:          {http.StatusBadRequest, "invalid-request", "The request is not valid", ""},
	contracts.KindNotFound:         {http.StatusNotFound, "not-found", "Not found", ""},
	contracts.KindConflict:         {http.StatusConflict, "conflict", "The request conflicts with the current state", ""},
	contracts.KindSlotTaken:        {http.StatusConflict, "slot-taken", "This slot was taken by someone else", ""},
	contracts.KindHoldExpired:      {http.StatusConflict, "hold-expired", "The clinic's reservation of this slot expired", ""},
	contracts.KindNotAttached:      {http.StatusUnprocessableEntity, "not-attached", "You are not attached to this clinic", ""},
	contracts.KindReferralRequired: {http.StatusUnprocessableEntity, "referral-required", "This specialist sees patients only with a referral", ""},
	contracts.KindUnavailable:      {http.StatusServiceUnavailable, "region-unavailable", "The region's medical information system is unavailable", ""},
	contracts.KindOutcomeUnknown:   {http.StatusServiceUnavailable, "outcome-unknown", "The region did not confirm the request; please try again", ""},
	contracts.KindUnsupported:      {http.StatusNotImplemented, "unsupported", "This request is not supported yet", ""},
	contracts.KindInternal: {http.StatusInternalServerError, "internal", "Internal error",
		"Something went wrong on our side. Please try again later."},
}

// problemFor is the one place that maps an error to an HTTP status and the
// words a client sees. An unclassified error becomes a 500 that reveals
// nothing; a failed sign-in a 401 that explains only what is needed.
func problemFor(err error) problem {
	pt, ok := ownProblem(err)
	if !ok {
		pt, ok = kindProblems[contracts.KindOf(err)]
	}
	if !ok {
		pt = kindProblems[contracts.KindInternal]
	}
	detail := pt.fixed
	if detail == "" {
		detail = err.Error()
	}
	return problem{Type: problemBase + pt.code, Title: pt.title, Status: pt.status, Code: pt.code, Detail: detail}
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

// writeError answers with the problem for err, logging server-side faults.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	pr := problemFor(err)
	pr.Instance = r.URL.Path
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
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(pr.Status)
	_ = json.NewEncoder(w).Encode(pr)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
