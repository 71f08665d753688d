package fhir_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/fhir"
)

func hold(c *fhir.Client) error {
	_, err := c.Hold(context.Background(), contracts.HoldRequest{
		SlotID: "s1", Patient: contracts.Patient{SNILS: "11223344595"}, IdempotencyKey: "saga-1:hold"})
	return err
}

func search(c *fhir.Client) error {
	_, err := c.SearchSlots(context.Background(), contracts.SlotQuery{})
	return err
}

func book(c *fhir.Client) error {
	_, err := c.Book(context.Background(), contracts.BookRequest{AppointmentID: "a1", IdempotencyKey: "saga-1:book"})
	return err
}

func TestStatusMapping(t *testing.T) {
	unavailable := answer{status: http.StatusServiceUnavailable}
	tests := []struct {
		name         string
		call         func(*fhir.Client) error
		script       []answer
		wantErr      error
		wantAttempts int
	}{
		{"a search retried on 503 succeeds when the MIS recovers", search,
			[]answer{unavailable, unavailable, {status: 200, body: emptyBundle()}}, nil, 3},
		{"a search that keeps getting 503 ends in region unavailable after all attempts", search,
			[]answer{unavailable}, contracts.ErrRegionUnavailable, 3},
		{"a search retried on 429 succeeds", search,
			[]answer{{status: http.StatusTooManyRequests}, {status: 200, body: emptyBundle()}}, nil, 2},
		{"a hold retried on 503 with its key succeeds", hold,
			[]answer{unavailable, {status: 200, body: heldAppointment("a1", "saga-1:hold")}}, nil, 2},
		{"a hold refused as slot-taken is not retried", hold,
			[]answer{{status: http.StatusConflict, body: outcome("slot-taken")}}, contracts.ErrSlotTaken, 1},
		{"a hold refused as not-attached is not retried", hold,
			[]answer{{status: http.StatusUnprocessableEntity, body: outcome("not-attached")}}, contracts.ErrNotAttached, 1},
		{"a hold refused for lack of referral is not retried", hold,
			[]answer{{status: http.StatusUnprocessableEntity, body: outcome("referral-required")}}, contracts.ErrReferralRequired, 1},
		{"a book after the hold lapsed is refused as hold-expired", book,
			[]answer{{status: http.StatusConflict, body: outcome("hold-expired")}}, contracts.ErrHoldExpired, 1},
		{"a 409 without a refusal code is a conflict", book,
			[]answer{{status: http.StatusConflict}}, contracts.ErrConflict, 1},
		{"a 400 is invalid and not retried", hold,
			[]answer{{status: http.StatusBadRequest}}, contracts.ErrInvalid, 1},
		{"a 404 is not found and not retried", book,
			[]answer{{status: http.StatusNotFound}}, contracts.ErrNotFound, 1},
		{"a 403 is a region failure and not retried", search,
			[]answer{{status: http.StatusForbidden}}, fhir.ErrUnauthorized, 1},
		{"a 401 is also region unavailable", hold,
			[]answer{{status: http.StatusUnauthorized}}, contracts.ErrRegionUnavailable, 1},
		{"a 501 is region unavailable and not retried: it would be the same next time", search,
			[]answer{{status: http.StatusNotImplemented}}, contracts.ErrRegionUnavailable, 1},
		{"a redirect is neither followed nor retried", search,
			[]answer{{status: http.StatusFound, header: http.Header{"Location": {"/elsewhere"}}}}, contracts.ErrRegionUnavailable, 1},
		{"a 422 without a refusal code is invalid", hold,
			[]answer{{status: http.StatusUnprocessableEntity}}, contracts.ErrInvalid, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mis := newScriptedMIS(t, tt.script...)
			err := tt.call(newClient(t, testConfig(mis.srv.URL)))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := len(mis.attempts()); got != tt.wantAttempts {
				t.Errorf("MIS saw %d attempts, want %d", got, tt.wantAttempts)
			}
			if err != nil && strings.Contains(err.Error(), "123-456") {
				t.Errorf("error quotes the MIS's diagnostics (may hold patient data): %v", err)
			}
		})
	}
}

func TestUnauthorizedIsNotARefusal(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: http.StatusUnauthorized})
	err := hold(newClient(t, testConfig(mis.srv.URL)))
	if contracts.IsRefusal(err) || !errors.Is(err, fhir.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized and no refusal", err)
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	mis := newScriptedMIS(t,
		answer{status: http.StatusServiceUnavailable, header: http.Header{"Retry-After": {"30"}}},
		answer{status: 200, body: emptyBundle()})
	c := newClient(t, testConfig(mis.srv.URL)) // RetryAfterCap 50ms
	start := time.Now()
	if err := search(c); err != nil {
		t.Fatalf("search: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("search took %v: Retry-After 30s was not capped", took)
	}
	if got := len(mis.attempts()); got != 2 {
		t.Fatalf("attempts = %d, want 2", got)
	}
}

func TestPostThatTimesOutHasUnknownOutcome(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: 200, body: heldAppointment("a1", "saga-1:hold"), delay: time.Second})
	err := hold(newClient(t, testConfig(mis.srv.URL))) // CallTimeout 200ms
	if !errors.Is(err, contracts.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
	}
	attempts := mis.attempts()
	if len(attempts) != 3 {
		t.Fatalf("attempts = %d, want 3 (a keyed POST is retried)", len(attempts))
	}
	for i, a := range attempts {
		if got := a.header.Get("Idempotency-Key"); got != "saga-1:hold" {
			t.Errorf("attempt %d carried Idempotency-Key %q, want the same key every time", i, got)
		}
	}
}

func TestPostThatTimedOutOnceSucceedsOnRetryWithTheSameKey(t *testing.T) {
	ok := answer{status: 200, body: heldAppointment("a1", "saga-1:hold")}
	mis := newScriptedMIS(t, answer{delay: time.Second, status: 200, body: ok.body}, ok)
	if err := hold(newClient(t, testConfig(mis.srv.URL))); err != nil {
		t.Fatalf("hold: %v", err)
	}
	a := mis.attempts()
	if len(a) != 2 || a[0].header.Get("Idempotency-Key") != a[1].header.Get("Idempotency-Key") {
		t.Fatalf("want two attempts with one key, got %d", len(a))
	}
}

func TestPostAfterTimeoutThen503IsStillUnknown(t *testing.T) {
	mis := newScriptedMIS(t, answer{delay: time.Second, status: 200}, answer{status: http.StatusServiceUnavailable})
	if err := hold(newClient(t, testConfig(mis.srv.URL))); !errors.Is(err, contracts.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown: the first attempt may have held the slot", err)
	}
}

func TestRefusedConnectionIsRegionUnavailable(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: 200})
	url := mis.srv.URL
	mis.srv.Close()
	c := newClient(t, testConfig(url))
	for name, call := range map[string]func(*fhir.Client) error{"search": search, "hold": hold} {
		err := call(c)
		if !errors.Is(err, contracts.ErrRegionUnavailable) || errors.Is(err, contracts.ErrOutcomeUnknown) {
			t.Errorf("%s: err = %v, want ErrRegionUnavailable (nothing was sent)", name, err)
		}
	}
}

func TestCallerDeadlineEndsRetries(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: http.StatusServiceUnavailable, header: http.Header{"Retry-After": {"1"}}})
	cfg := testConfig(mis.srv.URL)
	cfg.Retry.RetryAfterCap = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newClient(t, cfg).SearchSlots(ctx, contracts.SlotQuery{})
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("err = %v, want deadline exceeded and region unavailable", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("call took %v after its deadline", took)
	}
}

func TestFinalFailureKeepsConnectionsWarm(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: http.StatusServiceUnavailable})
	c := newClient(t, testConfig(mis.srv.URL))
	for range 3 {
		if err := search(c); !errors.Is(err, contracts.ErrRegionUnavailable) {
			t.Fatalf("err = %v", err)
		}
	}
	if n := mis.connections(); n != 1 {
		t.Fatalf("MIS saw %d connections for 9 sequential attempts, want 1 (no CloseIdleConnections churn)", n)
	}
}

func TestBearerTokenIsSentAndNeverInErrors(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: http.StatusInternalServerError})
	cfg := testConfig(mis.srv.URL)
	err := search(newClient(t, cfg))
	if err == nil || strings.Contains(err.Error(), cfg.BearerToken) {
		t.Fatalf("err = %v: want an error without the token", err)
	}
	if got := mis.attempts()[0].header.Get("Authorization"); got != "Bearer "+cfg.BearerToken {
		t.Fatalf("Authorization = %q", got)
	}
}

func TestAKeyedPOSTAnswered500IsAnUnknownOutcomeNotARefusalOfService(t *testing.T) {
	// Some MIS commit and then fail while writing the answer: a 500 to a
	// state-changing call may hide a change, unlike 503 ("not now").
	for status, want := range map[int]error{
		http.StatusInternalServerError: contracts.ErrOutcomeUnknown,
		http.StatusServiceUnavailable:  contracts.ErrRegionUnavailable,
	} {
		mis := newScriptedMIS(t, answer{status: status})
		err := hold(newClient(t, testConfig(mis.srv.URL)))
		if !errors.Is(err, want) || (want == contracts.ErrRegionUnavailable && errors.Is(err, contracts.ErrOutcomeUnknown)) {
			t.Errorf("hold answered %d: %v, want %v", status, err, want)
		}
		if err := search(newClient(t, testConfig(mis.srv.URL))); errors.Is(err, contracts.ErrOutcomeUnknown) {
			t.Errorf("a search answered %d: %v; a read changes nothing, so its outcome is never unknown", status, err)
		}
	}
}
