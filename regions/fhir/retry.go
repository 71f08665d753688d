package fhir

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/mishttp"
)

// callState follows one logical call across its attempts. retryablehttp
// hands CheckRetry only the request's context, so the call's retry rights
// and what its attempts revealed travel there. Attempts of one call run one
// after another, so the state needs no lock.
type callState struct {
	op string
	// post marks a state-changing call; retryable says whether repeating
	// it is safe (a GET, or a POST with an Idempotency-Key).
	post, retryable bool
	// maybeApplied records that some attempt of a POST may have reached
	// the MIS without its answer reaching us.
	maybeApplied bool
	attempts     int
}

type callStateKey struct{}

func withCallState(ctx context.Context, st *callState) context.Context {
	return context.WithValue(ctx, callStateKey{}, st)
}

func stateFrom(ctx context.Context) *callState {
	if st, ok := ctx.Value(callStateKey{}).(*callState); ok {
		return st
	}
	return &callState{} // not ours: never retried
}

func operationOf(ctx context.Context) string { return stateFrom(ctx).op }

// checkRetry is the method- and key-aware retry policy: retryablehttp's
// default repeats any method, which for a POST without an idempotency key
// books twice.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateFrom(ctx)
	st.attempts++
	st.note(resp, err)
	if err == nil && !retryableStatus(resp.StatusCode) {
		return false, nil // an answer, good or bad, is final
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if !st.retryable || (err != nil && permanent(err)) {
		return false, nil
	}
	return true, nil
}

func (st *callState) note(resp *http.Response, err error) {
	if !st.post {
		return
	}
	switch {
	case err != nil && mishttp.MayHaveBeenSent(err):
		st.maybeApplied = true
	case resp != nil && (resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout):
		// A gateway answered for an MIS that may have got the request.
		st.maybeApplied = true
	case resp != nil && resp.StatusCode == http.StatusInternalServerError:
		// An MIS that failed inside may have failed after it committed
		// (some fail every answer after the write): not a "no", an unknown
		// outcome, which the saga resolves by reading back. 503 and 429 are
		// the MIS saying "not now" before acting.
		st.maybeApplied = true
	}
}

// retryableStatus: an answer is worth repeating only when the region said
// "not now" (429, most 5xx). Callers also need the call's retry rights.
func retryableStatus(code int) bool { return Retried(answerKind(code)) }

// Retried reports whether the client repeats a GET or a keyed POST whose
// answer is of this kind: only when the region is unavailable for the
// moment. A refusal, not-found, invalid or conflict is the MIS's answer; an
// answer outside the contract (KindInternal) would be the same next time.
func Retried(k contracts.Kind) bool { return k == contracts.KindUnavailable }

// permanent reports errors no repetition can cure: the MIS's certificate
// does not verify.
func permanent(err error) bool {
	var (
		unknownCA *x509.UnknownAuthorityError
		invalid   *x509.CertificateInvalidError
		host      *x509.HostnameError
		verify    *tls.CertificateVerificationError
	)
	return errors.As(err, &unknownCA) || errors.As(err, &invalid) ||
		errors.As(err, &host) || errors.As(err, &verify)
}

// backoff is exponential with jitter (retryablehttp's default has none, so
// every worker retries a recovering MIS at the same instant) and honours
// Retry-After on 429 and 503 only up to retryAfterCap (retryablehttp does not
// cap it, #247).
func backoff(retryAfterCap time.Duration) retryablehttp.Backoff {
	return func(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
		if d, ok := retryAfter(resp); ok {
			return min(d, retryAfterCap)
		}
		return jittered(lo, hi, attempt)
	}
}

func jittered(lo, hi time.Duration, attempt int) time.Duration {
	d := hi
	if attempt < 30 && lo<<attempt < hi {
		d = lo << attempt
	}
	half := d / 2
	return half + rand.N(half+1)
}

func retryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
