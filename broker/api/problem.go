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

// Errors of the API layer itself; contracts' sentinels cover the rest.
var (
	errBodyTooLarge = errors.New("request body too large")
	errKeyReused    = errors.New("Idempotency-Key reused with a different request")
	errKeyInFlight  = errors.New("a request with this Idempotency-Key is still in progress")
	errKeyMissing   = errors.New("Idempotency-Key header required")
)

// problemFor is the one place that maps an error to an HTTP status and the
// words a client sees. Unknown errors become a 500 that reveals nothing.
func problemFor(err error) problem {
	p := func(status int, code, title string) problem {
		return problem{Type: problemBase + code, Title: title, Status: status, Code: code, Detail: err.Error()}
	}
	switch {
	case errors.Is(err, auth.ErrUnauthenticated):
		pr := p(http.StatusUnauthorized, "unauthenticated", "Sign in to continue")
		pr.Detail = "A valid bearer token from the identity provider is required."
		return pr
	case errors.Is(err, errBodyTooLarge):
		return p(http.StatusRequestEntityTooLarge, "body-too-large", "Request body too large")
	case errors.Is(err, errKeyMissing):
		return p(http.StatusBadRequest, "idempotency-key-missing", "Idempotency-Key header required")
	case errors.Is(err, errKeyReused):
		return p(http.StatusUnprocessableEntity, "idempotency-key-reused", "Idempotency-Key was used for another request")
	case errors.Is(err, errKeyInFlight):
		return p(http.StatusConflict, "idempotency-key-in-flight", "The same request is still being processed")
	case errors.Is(err, bookings.ErrSlotUnknown):
		return p(http.StatusUnprocessableEntity, "slot-unknown", "The clinic does not offer this slot")
	case errors.Is(err, contracts.ErrSlotTaken):
		return p(http.StatusConflict, "slot-taken", "This slot was taken by someone else")
	case errors.Is(err, bookings.ErrNotCancellable):
		return p(http.StatusConflict, "not-cancellable", "This booking cannot be cancelled now")
	case errors.Is(err, contracts.ErrRegionUnavailable):
		return p(http.StatusServiceUnavailable, "region-unavailable", "The region's medical information system is unavailable")
	case errors.Is(err, contracts.ErrInvalid):
		return p(http.StatusBadRequest, "invalid-request", "The request is not valid")
	case errors.Is(err, contracts.ErrNotFound):
		return p(http.StatusNotFound, "not-found", "Not found")
	case errors.Is(err, contracts.ErrConflict):
		return p(http.StatusConflict, "conflict", "The request conflicts with the current state")
	}
	return problem{Type: problemBase + "internal", Title: "Internal error", Status: http.StatusInternalServerError,
		Code: "internal", Detail: "Something went wrong on our side. Please try again later."}
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
