package system_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// harness is one whole system on loopback: the embedded Kafka-protocol
// broker (or KAFKA_BROKERS), SQLite in a temporary directory, real MIS
// simulators and the API on a random port.
type harness struct {
	t    testing.TB
	sys  *system.System
	sims map[string]*fleet.Simulator
	opts system.Options
}

func testLogger() *slog.Logger {
	if os.Getenv("TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func newHarness(t testing.TB, regions int, tweak func(*system.Options)) *harness {
	t.Helper()
	sims, err := fleet.StartSimulators(fleet.AllFHIR(fleet.Regions[:regions]), 7, 0, testLogger()) // the FHIR simulator's own features everywhere
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.CloseAll(sims) })
	h := &harness{t: t, sims: map[string]*fleet.Simulator{}}
	for _, s := range sims {
		h.sims[s.Region.Code] = s
	}
	h.opts = system.Options{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Regions: fleet.RegistryConfigs(sims), DevIssuer: true,
		PseudonymKey: bytes.Repeat([]byte{1}, 32), SealKey: bytes.Repeat([]byte{2}, 32), Logger: testLogger(),
		KafkaBrokers: kafkaBrokers(), KafkaNamespace: testNamespace(),
		// Most tests book many slots, at the same times, as one citizen;
		// guards_test.go puts the citizen guards back as serve has them.
		AllowOverlappingBookings: true, MaxActivePerCitizen: -1,
		// The live probes off: their calls would mingle with what a test
		// counts at the simulators; probes_test.go turns them on.
		Probes: system.ProbeOptions{Interval: -1},
	}
	if tweak != nil {
		tweak(&h.opts)
	}
	h.start()
	return h
}

// testNamespace keeps each test's topics and groups apart, so tests can
// share one persistent Kafka cluster (KAFKA_BROKERS) without reading each
// other's leftovers.
func testNamespace() string { return "t" + strings.ToLower(rand.Text()[:10]) + "." }

// kafkaBrokers is the real cluster to run against, when KAFKA_BROKERS is set.
func kafkaBrokers() []string {
	if v := os.Getenv("KAFKA_BROKERS"); v != "" {
		return strings.Split(v, ",")
	}
	return nil
}

func (h *harness) start() {
	h.t.Helper()
	sys, err := system.Start(context.Background(), h.opts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.sys = sys
	h.t.Cleanup(func() { h.stop() })
}

func (h *harness) stop() {
	if h.sys != nil {
		if err := h.sys.Close(); err != nil {
			h.t.Logf("close: %v", err)
		}
		h.sys = nil
	}
}

// restart stops the system and starts it again on the same data.
func (h *harness) restart() {
	h.t.Helper()
	h.stop()
	h.start()
}

func (h *harness) token(citizen string) string {
	h.t.Helper()
	var out struct{ Token string }
	h.mustJSON(h.call(http.MethodPost, "/api/v1/dev/token", "", fmt.Sprintf(`{"citizen_id":%q}`, citizen), nil), http.StatusOK, &out)
	return out.Token
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (h *harness) call(method, path, token, body string, header map[string]string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.sys.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json") // header may say otherwise
	}
	// The tests read the citizen's texts in English (Russian is the
	// default); header may ask for another language.
	req.Header.Set("Accept-Language", "en")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	h.conforms(req, r)
	return r
}

// internal GETs path from the internal listener (monitoring, not the
// documented API).
func (h *harness) internal(path string) response {
	h.t.Helper()
	resp, err := http.Get(h.sys.InternalURL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (h *harness) mustJSON(r response, status int, v any) {
	h.t.Helper()
	if r.status != status {
		h.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			h.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

type slotView struct {
	ID        string    `json:"id"`
	Region    string    `json:"region"`
	Start     time.Time `json:"start"`
	Specialty string    `json:"specialty"`
}

// freeSlots returns n free slots of region, as the citizen's search shows them.
func (h *harness) freeSlots(token, region string, n int) []slotView {
	h.t.Helper()
	var out struct{ Slots []slotView }
	h.mustJSON(h.call(http.MethodGet, fmt.Sprintf("/api/v1/slots?region=%s&limit=%d", region, n), token, "", nil), http.StatusOK, &out)
	if len(out.Slots) < n {
		h.t.Fatalf("region %s: %d free slots, want %d", region, len(out.Slots), n)
	}
	return out.Slots[:n]
}

type bookingView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Region   string `json:"region"`
	Reason   string `json:"reason"`
	Slot     slotView
	Timeline []struct{ Status, Detail string }
}

var keySeq int

func (h *harness) book(token, slotID string) string {
	h.t.Helper()
	keySeq++
	var out bookingView
	h.mustJSON(h.call(http.MethodPost, "/api/v1/bookings", token, fmt.Sprintf(`{"slot_id":%q}`, slotID),
		map[string]string{"Idempotency-Key": fmt.Sprintf("key-%d-%d", time.Now().UnixNano(), keySeq)}), http.StatusAccepted, &out)
	if out.Status != "pending" {
		h.t.Fatalf("new booking status %q, want pending", out.Status)
	}
	return out.ID
}

func (h *harness) booking(token, id string) bookingView {
	h.t.Helper()
	var b bookingView
	h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings/"+id, token, "", nil), http.StatusOK, &b)
	return b
}

// waitStatus long-polls until the booking is in one of the wanted statuses.
func (h *harness) waitStatus(token, id string, timeout time.Duration, want ...string) bookingView {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var b bookingView
		h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings/"+id+"?wait=2s", token, "", nil), http.StatusOK, &b)
		for _, w := range want {
			if b.Status == w {
				return b
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("booking %s is %s after %s, want %v; timeline %+v", id, b.Status, timeout, want, b.Timeline)
		}
		time.Sleep(10 * time.Millisecond) // a final status we do not want yet returns at once
	}
}

func (h *harness) faults(region string, f missim.Faults) {
	h.t.Helper()
	if err := h.sims[region].MIS.SetFaults(f); err != nil {
		h.t.Fatal(err)
	}
}

// liveAppointments counts the simulator's booked appointments per hold key.
func (h *harness) appointments(region string) []missim.AdminAppointment {
	return h.sims[region].MIS.Appointments()
}

// countStatus counts the simulator's appointments in status s.
func countStatus(appts []missim.AdminAppointment, s string) int {
	n := 0
	for _, a := range appts {
		if a.Status == s {
			n++
		}
	}
	return n
}

func faultsLatency(ms int) missim.Faults { return missim.Faults{LatencyMS: ms} }
