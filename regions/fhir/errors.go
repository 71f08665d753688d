package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv1"
)

// ErrUnauthorized: the MIS rejected the broker's credentials (401 or 403).
// It is not a refusal: the broker is misconfigured, so the error also wraps
// contracts.ErrRegionUnavailable and counts against the region's breaker.
var ErrUnauthorized = errors.New("MIS rejected the broker's credentials")

// refusals maps the contract's refusal codes to sentinels.
var refusals = map[string]error{
	misv1.RefusalSlotTaken:        contracts.ErrSlotTaken,
	misv1.RefusalHoldExpired:      contracts.ErrHoldExpired,
	misv1.RefusalNotAttached:      contracts.ErrNotAttached,
	misv1.RefusalReferralRequired: contracts.ErrReferralRequired,
}

// statusError maps a non-2xx answer to a sentinel. It never quotes the
// OperationOutcome's diagnostics: an MIS may put patient data there.
func (c *Client) statusError(op string, status int, body []byte, st *callState) error {
	return fmt.Errorf("%s in region %s: MIS answered %d: %w", op, c.cfg.Region.Code, status, sentinelFor(status, body, st))
}

func sentinelFor(status int, body []byte, st *callState) error {
	switch {
	case status == http.StatusBadRequest:
		return contracts.ErrInvalid
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", ErrUnauthorized, contracts.ErrRegionUnavailable)
	case status == http.StatusNotFound:
		return contracts.ErrNotFound
	case status == http.StatusConflict || status == http.StatusUnprocessableEntity:
		return refusalFor(status, body)
	case retryableStatus(status) && st.post && st.maybeApplied:
		return contracts.ErrOutcomeUnknown
	case status >= 400 && status < 500 && status != http.StatusTooManyRequests:
		return contracts.ErrInvalid
	default: // 429, 5xx, and redirects, which we never follow
		return contracts.ErrRegionUnavailable
	}
}

func refusalFor(status int, body []byte) error {
	var oo misv1.OperationOutcome
	if json.Unmarshal(body, &oo) == nil {
		if err, ok := refusals[oo.RefusalCode()]; ok {
			return err
		}
	}
	if status == http.StatusConflict {
		return contracts.ErrConflict // e.g. the same key in flight: retry later
	}
	return contracts.ErrInvalid
}

// transportError maps a call that got no usable answer.
func (c *Client) transportError(ctx context.Context, op string, st *callState, cause error) error {
	prefix := fmt.Sprintf("%s in region %s after %d attempt(s)", op, c.cfg.Region.Code, st.attempts)
	switch {
	case st.post && st.maybeApplied:
		// The MIS may have acted: the caller repeats with the same key or
		// reads back (FindByHoldKey), never compensates blindly.
		return fmt.Errorf("%s: %w: %w", prefix, contracts.ErrOutcomeUnknown, cause)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%s: %w", prefix, ctx.Err()) // the caller walked away
	default:
		return fmt.Errorf("%s: %w: %w", prefix, contracts.ErrRegionUnavailable, cause)
	}
}
