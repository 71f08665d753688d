package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// ErrUnauthorized: the MIS rejected the broker's credentials (401 or 403).
// It is not a refusal: the broker is misconfigured, so the error also wraps
// contracts.ErrRegionUnavailable and counts against the region's breaker.
var ErrUnauthorized = errors.New("MIS rejected the broker's credentials")

// refusals maps the contract's refusal codes to sentinels.
var refusals = map[string]error{
	misv2.RefusalSlotTaken:        contracts.ErrSlotTaken,
	misv2.RefusalHoldExpired:      contracts.ErrHoldExpired,
	misv2.RefusalNotAttached:      contracts.ErrNotAttached,
	misv2.RefusalReferralRequired: contracts.ErrReferralRequired,
}

// answerKind is what the status of a non-2xx answer says about the call
// before its body is read; the body of a 409 or 422 may name a refusal. The
// retry rule (retryableStatus) and the error (sentinelFor) both derive from it.
func answerKind(status int) contracts.Kind {
	switch {
	case status == http.StatusBadRequest:
		return contracts.KindInvalid
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return contracts.KindInternal // the broker's credentials are wrong: see sentinelFor
	case status == http.StatusNotFound:
		return contracts.KindNotFound
	case status == http.StatusConflict:
		return contracts.KindConflict // e.g. the same key in flight: the caller retries later
	case status == http.StatusTooManyRequests, status >= 500 && status != http.StatusNotImplemented:
		return contracts.KindUnavailable
	case status >= 400 && status < 500:
		return contracts.KindInvalid
	default: // 501, and redirects, which we never follow: an MIS outside its contract
		return contracts.KindInternal
	}
}

// answerSentinels names the error of each kind answerKind returns. An
// answer outside the contract (KindInternal) leaves the region unusable
// until someone fixes it: to its callers the region is unavailable, but
// repeating the call cannot help, so it is never retried.
var answerSentinels = map[contracts.Kind]error{
	contracts.KindInvalid:     contracts.ErrInvalid,
	contracts.KindNotFound:    contracts.ErrNotFound,
	contracts.KindConflict:    contracts.ErrConflict,
	contracts.KindUnavailable: contracts.ErrRegionUnavailable,
	contracts.KindInternal:    contracts.ErrRegionUnavailable,
}

// statusError maps a non-2xx answer to a sentinel. It never quotes the
// OperationOutcome's diagnostics: an MIS may put patient data there.
func (c *Client) statusError(op string, status int, body []byte, st *callState) error {
	return fmt.Errorf("%s in region %s: MIS answered %d: %w", op, c.cfg.Region.Code, status, sentinelFor(status, body, st))
}

func sentinelFor(status int, body []byte, st *callState) error {
	kind := answerKind(status)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", ErrUnauthorized, contracts.ErrRegionUnavailable)
	case status == http.StatusConflict || status == http.StatusUnprocessableEntity:
		if err := refusal(body); err != nil {
			return err
		}
	case kind == contracts.KindUnavailable && st.post && st.maybeApplied:
		return contracts.ErrOutcomeUnknown
	}
	return answerSentinels[kind]
}

// refusal returns the refusal an OperationOutcome names, or nil.
func refusal(body []byte) error {
	var oo misv2.OperationOutcome
	if json.Unmarshal(body, &oo) != nil {
		return nil
	}
	return refusals[oo.RefusalCode()]
}

// transportError maps a call that got no usable answer.
func (c *Client) transportError(ctx context.Context, op string, st *callState, cause error) error {
	prefix := fmt.Sprintf("%s in region %s after %d attempt(s)", op, c.cfg.Region.Code, st.attempts)
	switch {
	case st.post && st.maybeApplied:
		// The MIS may have acted: the caller repeats with the same key or
		// reads back (FindHold), never compensates blindly.
		return fmt.Errorf("%s: %w: %w", prefix, contracts.ErrOutcomeUnknown, cause)
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%s: %w", prefix, ctx.Err()) // the caller walked away
	default:
		return fmt.Errorf("%s: %w: %w", prefix, contracts.ErrRegionUnavailable, cause)
	}
}
