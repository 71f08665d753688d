package missim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/contracts/misv2/conformance"
	"github.com/fedhealth/federation/regions/missim"
)

func TestSimulatorConformsToContract(t *testing.T) {
	for _, tc := range []struct {
		name  string
		token string
	}{
		{"without authentication", ""},
		{"with a bearer token", "s3cret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The real clock and short holds: the suite waits for holds to
			// lapse (FHIR-HOLD-09, FHIR-BOOK-06).
			sim := newSim(t, missim.Config{Region: "77", Seed: 7, BearerToken: tc.token, Now: time.Now, HoldTTL: 1500 * time.Millisecond})
			conformance.Run(t, conformance.Target{BaseURL: sim.url, BearerToken: tc.token})
		})
	}
}

// sim is a simulator on a real loopback server with a settable clock.
type sim struct {
	*missim.Server
	url string
	now atomic.Pointer[time.Time]
}

func newSim(t *testing.T, cfg missim.Config) *sim {
	t.Helper()
	s := &sim{}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
	s.now.Store(&start)
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return *s.now.Load() }
	}
	srv, err := missim.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Server = srv
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	s.url = hs.URL
	return s
}

func (s *sim) advance(d time.Duration) {
	next := s.now.Load().Add(d)
	s.now.Store(&next)
}

// post makes a contract POST and decodes the answer into out (if non-nil).
func (s *sim) post(t *testing.T, ctx context.Context, path, key string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url+path, bytes.NewReader(b))
	req.Header.Set(misv2.HeaderIdempotencyKey, key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func holdBody(slotID string) misv2.Parameters {
	return misv2.Parameters{ResourceType: "Parameters", Parameter: []misv2.Parameter{
		{Name: "slot", ValueReference: &misv2.Reference{Reference: "Slot/" + slotID}},
		{Name: "patient", ValueIdentifier: &misv2.Identifier{System: misv2.SNILSSystem, Value: "11223344595"}},
	}}
}

func (s *sim) hold(t *testing.T, slotID, key string) (int, misv2.Appointment, misv2.OperationOutcome) {
	t.Helper()
	var raw json.RawMessage
	status := s.post(t, context.Background(), "/Appointment/$hold", key, holdBody(slotID), &raw)
	var a misv2.Appointment
	var oo misv2.OperationOutcome
	_ = json.Unmarshal(raw, &a)
	_ = json.Unmarshal(raw, &oo)
	return status, a, oo
}

func (s *sim) get(t *testing.T, path string, out any) int {
	t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	return resp.StatusCode
}

// freeSlot returns the id of the n-th free slot (0-based).
func (s *sim) freeSlot(t *testing.T, n int) string {
	t.Helper()
	var b misv2.Bundle
	s.get(t, fmt.Sprintf("/Slot?status=free&_count=%d", n+1), &b)
	var sl misv2.Slot
	if err := json.Unmarshal(b.Entry[n].Resource, &sl); err != nil || sl.ResourceType != "Slot" {
		t.Fatalf("entry %d is not a slot: %v", n, err)
	}
	return sl.ID
}

func putFaults(t *testing.T, url, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url+"/admin/faults", bytes.NewBufferString(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
