package conformance

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	kit "github.com/fedhealth/federation/contracts/conformance"
)

// The kit checks its own requests against openapi.yaml before it sends
// them: a request the contract does not allow never reaches the MIS and
// is reported as the kit's fault; one off the contract on purpose goes.
func TestTheKitSendsOnlyRequestsTheContractAllowsUnlessOnPurpose(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	c := &client{base: srv.URL + "/fhir", basePath: "/fhir", hc: srv.Client(), rec: kit.NewRecorder(), run: "t"}

	_, err := c.send(http.MethodPost, "/Appointment/A-1/$book", "", nil) // no Idempotency-Key
	if err == nil || !strings.Contains(err.Error(), "a fault of the kit") || !strings.Contains(err.Error(), "Idempotency-Key") {
		t.Errorf("a $book without its key: %v, want the kit's fault naming the header", err)
	}
	if _, err := c.send(http.MethodGet, "/Slot?_count=lots", "", nil); err == nil || !strings.Contains(err.Error(), "_count") {
		t.Errorf("a search with a count that is no number: %v, want the kit's fault naming _count", err)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests off the contract reached the MIS, want none", n)
	}
	if _, err := c.sendOffContract(http.MethodPost, "/Appointment/A-1/$book", "", nil); err != nil || calls.Load() != 1 {
		t.Errorf("a request off the contract on purpose: %v, %d calls; want it sent", err, calls.Load())
	}
	if _, err := c.send(http.MethodPost, "/Appointment/A-1/$book", c.key(), nil); err != nil || calls.Load() != 2 {
		t.Errorf("a $book with its key: %v, %d calls; want it sent", err, calls.Load())
	}
}
