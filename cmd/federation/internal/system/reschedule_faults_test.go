package system_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
)

// faultMode is what a stepFaults proxy does to a call it breaks.
type faultMode int

const (
	// refuseHoldExpired answers a FHIR refusal (409, hold-expired) and
	// passes nothing on: the MIS's final "no".
	refuseHoldExpired faultMode = iota
	// loseAnswer passes the call on, so the MIS acts, and answers 502:
	// the broker cannot tell whether it did.
	loseAnswer
	// unavailable answers 503 and passes nothing on: the MIS is down for
	// this call.
	unavailable
)

// stepFaults is a reverse proxy on loopback between the broker and one
// simulator that breaks the calls match selects, times times (-1: until
// healed), and passes every other call through untouched. It puts a fault
// at one step of a saga, which the simulator's own fault rates cannot aim.
type stepFaults struct {
	URL   string
	mu    sync.Mutex
	match func(r *http.Request, body []byte) bool
	mode  faultMode
	times int
	hits  int
}

func newStepFaults(t *testing.T, target string) *stepFaults {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	f := &stepFaults{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		mode, broken := f.take(r, body)
		switch {
		case !broken:
			proxy.ServeHTTP(w, r)
		case mode == refuseHoldExpired:
			w.Header().Set("Content-Type", "application/fhir+json")
			w.WriteHeader(http.StatusConflict)
			_ = json.NewEncoder(w).Encode(misv2.OperationOutcome{ResourceType: "OperationOutcome", Issue: []misv2.Issue{{
				Severity: "error", Code: "business-rule",
				Details: &misv2.CodeableConcept{Coding: []misv2.Coding{{System: misv2.RefusalCodeSystem, Code: misv2.RefusalHoldExpired}}}}}})
		case mode == loseAnswer:
			proxy.ServeHTTP(httptest.NewRecorder(), r) // the MIS acts; its answer goes nowhere
			w.WriteHeader(http.StatusBadGateway)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// breakCalls breaks the next times calls match selects (-1: until heal).
func (f *stepFaults) breakCalls(mode faultMode, times int, match func(r *http.Request, body []byte) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.match, f.mode, f.times, f.hits = match, mode, times, 0
}

func (f *stepFaults) heal() { f.breakCalls(0, 0, nil) }

// broke is how many calls were broken since breakCalls.
func (f *stepFaults) broke() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits
}

func (f *stepFaults) take(r *http.Request, body []byte) (faultMode, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.match == nil || f.times == 0 || !f.match(r, body) {
		return 0, false
	}
	if f.times > 0 {
		f.times--
	}
	f.hits++
	return f.mode, true
}

// fhirStep selects the FHIR calls of one reschedule step, by the step name
// its idempotency key carries.
func fhirStep(step string) func(r *http.Request, _ []byte) bool {
	return func(r *http.Request, _ []byte) bool {
		return r.Method == http.MethodPost && strings.Contains(r.Header.Get(misv2.HeaderIdempotencyKey), ":"+step+".")
	}
}

// rpcMethod selects the JSON-RPC calls of one method.
func rpcMethod(method string) func(*http.Request, []byte) bool {
	return func(_ *http.Request, body []byte) bool {
		return bytes.Contains(body, []byte(fmt.Sprintf(`"method":%q`, method)))
	}
}

// eventuallyTrue polls cond until it holds or timeout passes.
func eventuallyTrue(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}
