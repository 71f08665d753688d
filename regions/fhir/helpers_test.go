package fhir_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/fhir"
)

// answer is one scripted response; delay holds it back (to provoke timeouts).
type answer struct {
	status int
	body   any
	header http.Header
	delay  time.Duration
}

// seen is what the MIS received in one attempt.
type seen struct {
	method, path, rawQuery string
	header                 http.Header
	body                   []byte
}

// scriptedMIS answers attempts from a script; after the script runs out it
// repeats the last answer.
type scriptedMIS struct {
	mu      sync.Mutex
	script  []answer
	seen    []seen
	newConn int
	srv     *httptest.Server
}

func newScriptedMIS(t *testing.T, script ...answer) *scriptedMIS {
	t.Helper()
	m := &scriptedMIS{script: script}
	m.srv = httptest.NewUnstartedServer(http.HandlerFunc(m.serve))
	m.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			m.mu.Lock()
			m.newConn++
			m.mu.Unlock()
		}
	}
	m.srv.Start()
	t.Cleanup(m.srv.Close)
	return m
}

func (m *scriptedMIS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	m.mu.Lock()
	m.seen = append(m.seen, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
	a := m.script[min(len(m.seen), len(m.script))-1]
	m.mu.Unlock()
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", misv2.ContentType)
	w.WriteHeader(a.status)
	if a.body != nil {
		_ = json.NewEncoder(w).Encode(a.body)
	}
}

func (m *scriptedMIS) attempts() []seen {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]seen(nil), m.seen...)
}

func (m *scriptedMIS) connections() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.newConn
}

// testConfig is a fast config for region 25 (Primorsky krai, UTC+10).
func testConfig(baseURL string) fhir.Config {
	return fhir.Config{
		Region:      contracts.Region{Code: "25", Name: "Primorsky", TimeZone: "Asia/Vladivostok"},
		BaseURL:     baseURL,
		BearerToken: "s3cr3t-token-value",
		CallTimeout: 200 * time.Millisecond,
		Retry: fhir.RetryConfig{
			MaxAttempts: 3, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond, RetryAfterCap: 50 * time.Millisecond,
		},
	}
}

func newClient(t *testing.T, cfg fhir.Config) *fhir.Client {
	t.Helper()
	c, err := fhir.New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func outcome(code string) misv2.OperationOutcome {
	return misv2.OperationOutcome{ResourceType: "OperationOutcome", Issue: []misv2.Issue{{
		Severity: "error", Code: "conflict", Diagnostics: "patient 123-456-789 01 is not welcome",
		Details: &misv2.CodeableConcept{Coding: []misv2.Coding{{System: misv2.RefusalCodeSystem, Code: code}}},
	}}}
}

func heldAppointment(id, key string) misv2.Appointment {
	return misv2.Appointment{
		ResourceType: "Appointment", ID: id, Status: misv2.StatusPending,
		Identifier: []misv2.Identifier{{System: misv2.IdempotencyKeySystem, Value: key}},
		Slot:       []misv2.Reference{{Reference: "Slot/s1"}},
		Extension:  []misv2.Extension{{URL: misv2.HoldExpiresExtension, ValueInstant: "2025-03-10T09:05:00+10:00"}},
	}
}

func emptyBundle() misv2.Bundle {
	return misv2.Bundle{ResourceType: "Bundle", Type: "searchset"}
}
