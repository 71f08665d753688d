package fhir_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/fedhealth/federation/contracts"
)

func TestEveryAttemptOfACallCarriesTheRequestsCorrelationID(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: http.StatusServiceUnavailable}, answer{status: http.StatusOK, body: heldAppointment("a1", "saga-1:hold")})
	c := newClient(t, testConfig(mis.srv.URL))
	ctx := contracts.WithCorrelationID(context.Background(), "req-42")
	if _, err := c.Hold(ctx, contracts.HoldRequest{SlotID: "s1", Patient: contracts.Patient{SNILS: "11223344595"}, IdempotencyKey: "saga-1:hold"}); err != nil {
		t.Fatal(err)
	}
	attempts := mis.attempts()
	if len(attempts) != 2 {
		t.Fatalf("%d attempts, want 2 (one retry after the 503)", len(attempts))
	}
	for i, a := range attempts {
		if got := a.header.Get("X-Correlation-ID"); got != "req-42" {
			t.Errorf("attempt %d: X-Correlation-ID = %q, want req-42", i+1, got)
		}
	}
}

func TestACallWithoutCorrelationIDSendsNoHeader(t *testing.T) {
	mis := newScriptedMIS(t, answer{status: http.StatusOK, body: emptyBundle()})
	if err := search(newClient(t, testConfig(mis.srv.URL))); err != nil {
		t.Fatal(err)
	}
	if h := mis.attempts()[0].header; h.Get("X-Correlation-ID") != "" {
		t.Errorf("X-Correlation-ID = %q, want none", h.Get("X-Correlation-ID"))
	}
}
