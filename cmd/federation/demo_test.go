package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/missim"
)

// syncBuffer is a bytes.Buffer the demo writes to while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startDemo runs "federation demo" with one region until the test ends and
// returns its banner.
func startDemo(t *testing.T) string {
	t.Helper()
	banner, _ := startDemoOn(t, "127.0.0.1:0")
	return banner
}

// startDemoOn is startDemo listening on listen; it also returns what the
// demo wrote to stderr so far.
func startDemoOn(t *testing.T, listen string) (banner, stderrText string) {
	t.Helper()
	return startDemoWith(t, "--listen", listen, "--regions", "1")
}

// startDemoWith runs "federation demo" with args (and a data directory of
// the test's) until the test ends.
func startDemoWith(t *testing.T, args ...string) (banner, stderrText string) {
	t.Helper()
	stdout, stderr := startDemoLive(t, args...)
	return stdout.String(), stderr.String()
}

// startDemoLive is startDemoWith returning the demo's output as it keeps
// writing it.
func startDemoLive(t *testing.T, args ...string) (stdout, stderr *syncBuffer) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	dir := t.TempDir() // before the cleanup below, so removed after the demo stopped
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"demo", "--data", dir}, args...), stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Press Ctrl+C to stop.") {
		select {
		case err := <-done:
			t.Fatalf("demo stopped: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner after 30s; stderr:\n%s", stderr.String())
		}
	}
	return stdout, stderr
}

func TestTheDemoWarnsWhenItListensBeyondLoopback(t *testing.T) {
	_, stderr := startDemoOn(t, "0.0.0.0:0")
	if !strings.Contains(stderr, "!!! WARNING: listening on 0.0.0.0:0") || !strings.Contains(stderr, "ANY citizen") ||
		!strings.Contains(stderr, "test-only server listening beyond loopback") {
		t.Errorf("no loud warning on stderr and in the log:\n%s", stderr)
	}
}

var (
	apiLine     = regexp.MustCompile(`(?m)^  API=(http://127\.0\.0\.1:\d+/api/v1)$`)
	kafkaLine   = regexp.MustCompile(`(?m)^  Kafka \(embedded\)  127\.0\.0\.1:\d+$`)
	metricsLine = regexp.MustCompile(`(?m)^  Metrics +(http://127\.0\.0\.1:\d+/metrics)$`)
	slotInTry   = regexp.MustCompile(`"slot_id":"(77:[^"]+)"`)
)

func TestTheDemoBannerNamesAddressesAndARealFreeSlot(t *testing.T) {
	banner := startDemo(t)
	for what, re := range map[string]*regexp.Regexp{
		"the API base":                   apiLine,
		"the Kafka address, unbracketed": kafkaLine,
		"the metrics URL":                metricsLine,
		"a slot id from the simulator":   slotInTry,
	} {
		if !re.MatchString(banner) {
			t.Errorf("banner lacks %s (%s):\n%s", what, re, banner)
		}
	}
	if m := metricsLine.FindStringSubmatch(banner); m != nil {
		if api := apiLine.FindStringSubmatch(banner); api != nil && strings.HasPrefix(api[1], strings.TrimSuffix(m[1], "/metrics")) {
			t.Errorf("metrics %s on the API's port (%s)", m[1], api[1])
		}
		if resp, err := http.Get(m[1]); err != nil || resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %v %v, want the metrics", m[1], resp, err)
		} else {
			resp.Body.Close()
		}
	}
	if strings.Contains(banner, "uuidgen") || strings.Contains(banner, "SLOT_ID_FROM_SEARCH") {
		t.Errorf("the Try-it block needs uuidgen or a slot id the reader must find:\n%s", banner)
	}
	if t.Failed() {
		return
	}
	api, slot := apiLine.FindStringSubmatch(banner)[1], slotInTry.FindStringSubmatch(banner)[1]

	// What the Try-it lines do, step by step: a token, a search, a booking
	// of the printed slot, which is accepted and then confirmed.
	var tok struct{ Token string }
	mustCall(t, http.MethodPost, api+"/dev/token", "", `{"citizen_id":"ivan"}`, nil, http.StatusOK, &tok)
	var found struct{ Slots []struct{ ID string } }
	mustCall(t, http.MethodGet, api+"/slots?region=77&specialty="+missim.SpecialtyTherapy+"&limit=3", tok.Token, "", nil, http.StatusOK, &found)
	if len(found.Slots) == 0 || found.Slots[0].ID != slot {
		t.Errorf("search finds %+v, want the printed slot %s first", found.Slots, slot)
	}
	var b struct{ ID, Status string }
	mustCall(t, http.MethodPost, api+"/bookings", tok.Token, fmt.Sprintf(`{"slot_id":%q}`, slot),
		map[string]string{"Idempotency-Key": fmt.Sprintf("try-%d", time.Now().Unix())}, http.StatusAccepted, &b)
	mustCall(t, http.MethodGet, api+"/bookings/"+b.ID+"?wait=10s", tok.Token, "", nil, http.StatusOK, &b)
	if b.Status != "confirmed" {
		t.Errorf("the printed slot's booking ended %s, want confirmed", b.Status)
	}
}

var simLine = regexp.MustCompile(`(?m)^    (\d+) +(fhir|soap|jsonrpc|feed) +\S`)

// The default demo runs a region of every kind, Moscow of the city
// JSON-RPC style, says each region's kind, and books in each kind through
// the federal API (77's patient found by the OMS and birth date of the
// dev token); the feed region's booking waits in its operator queue until
// the region's operator confirms it.
func TestTheDefaultDemoRunsEveryKindAndBooksInEach(t *testing.T) {
	banner, _ := startDemoWith(t, "--listen", "127.0.0.1:0")
	kinds := map[string]string{}
	for _, m := range simLine.FindAllStringSubmatch(banner, -1) {
		kinds[m[1]] = m[2]
	}
	if kinds["77"] != "jsonrpc" || kinds["27"] != "feed" || len(kinds) != 6 {
		t.Fatalf("banner's regions and kinds %v, want six with 77 jsonrpc and 27 feed:\n%s", kinds, banner)
	}
	if !strings.Contains(banner, "no appointments: bookings wait in the operator queue") {
		t.Errorf("the banner does not say the feed simulator holds no appointments:\n%s", banner)
	}
	byKind := map[string]string{}
	for code, kind := range kinds {
		if byKind[kind] == "" || code == "77" {
			byKind[kind] = code
		}
	}
	if len(byKind) != 4 {
		t.Fatalf("kinds %v, want fhir, soap, jsonrpc and feed", kinds)
	}
	api := apiLine.FindStringSubmatch(banner)[1]
	for kind, code := range byKind {
		// A citizen per kind: the first slots of the regions are at one
		// time, and one citizen's bookings may not overlap.
		var tok struct{ Token string }
		mustCall(t, http.MethodPost, api+"/dev/token", "", fmt.Sprintf(`{"citizen_id":"marat-%s"}`, kind), nil, http.StatusOK, &tok)
		var found struct{ Slots []struct{ ID string } }
		mustCall(t, http.MethodGet, api+"/slots?region="+code+"&specialty="+missim.SpecialtyNeurology+"&limit=1", tok.Token, "", nil, http.StatusOK, &found)
		if len(found.Slots) == 0 {
			t.Fatalf("region %s (%s) offers no slot", code, kind)
		}
		var b struct{ ID, Status string }
		mustCall(t, http.MethodPost, api+"/bookings", tok.Token, fmt.Sprintf(`{"slot_id":%q}`, found.Slots[0].ID),
			map[string]string{"Idempotency-Key": "every-kind-" + code}, http.StatusAccepted, &b)
		if kind == "feed" {
			confirmByOperator(t, api, tok.Token, code, b.ID)
		}
		mustCall(t, http.MethodGet, api+"/bookings/"+b.ID+"?wait=10s", tok.Token, "", nil, http.StatusOK, &b)
		if b.Status != "confirmed" {
			t.Errorf("a booking in region %s (%s) ended %s, want confirmed", code, kind, b.Status)
		}
	}
}

// confirmByOperator checks that feed booking id waits, pending, in
// region's operator queue, and confirms it as the region's operator.
func confirmByOperator(t *testing.T, api, citizen, region, id string) {
	t.Helper()
	var b struct{ Status string }
	mustCall(t, http.MethodGet, api+"/bookings/"+id+"?wait=500ms", citizen, "", nil, http.StatusOK, &b)
	if b.Status != "pending" {
		t.Fatalf("a feed booking is %s before its operator answered, want pending", b.Status)
	}
	var op struct{ Token string }
	mustCall(t, http.MethodPost, api+"/dev/token", "", fmt.Sprintf(`{"operator_id":"op1","region":%q}`, region), nil, http.StatusOK, &op)
	var q struct {
		Items []struct{ ID, Kind, Status string }
	}
	mustCall(t, http.MethodGet, api+"/operator/queue", op.Token, "", nil, http.StatusOK, &q)
	if !slices.ContainsFunc(q.Items, func(it struct{ ID, Kind, Status string }) bool {
		return it.ID == id && it.Kind == "booking" && it.Status == "pending"
	}) {
		t.Fatalf("the operator queue %+v lacks pending booking %s", q.Items, id)
	}
	var done struct{ ID, Status string }
	mustCall(t, http.MethodPost, api+"/operator/bookings/"+id+"/confirm", op.Token, `{"mis_appointment_id":"KHV-77"}`,
		map[string]string{"Idempotency-Key": "confirm-" + id}, http.StatusOK, &done)
	if done.Status != "confirmed" {
		t.Errorf("the operator's confirmation answered %s, want confirmed", done.Status)
	}
}

func TestTheTryItBlockRunsAsPrintedInAPOSIXShell(t *testing.T) {
	for _, tool := range []string{"sh", "curl", "sed", "date"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	banner, _ := startDemoWith(t, "--listen", "127.0.0.1:0") // the default regions: the operator's lines too
	block := banner[strings.Index(banner, "Try it"):strings.Index(banner, "Press Ctrl+C")]
	lines := strings.Split(strings.TrimSpace(block), "\n")[1:]
	// Each line's output on a line of its own, so the booking's answer can be picked out.
	script := "set -e\n" + strings.Join(lines, "\necho\n") + "\n"
	out, err := exec.Command("sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("the Try-it block failed: %v\n%s\n%s", err, script, out)
	}
	// One compact JSON answer a line; the four assignments and the
	// comment print nothing.
	answers := slices.DeleteFunc(strings.Split(string(out), "\n"), func(l string) bool { return strings.TrimSpace(l) == "" })
	if len(answers) != 7 {
		t.Fatalf("%d answers, want 7 (regions, slots, booking, bookings; the operator's queue, confirmation, the feed booking):\n%s", len(answers), out)
	}
	var booked struct{ ID, Status string }
	if err := json.Unmarshal([]byte(answers[2]), &booked); err != nil || booked.Status != "pending" || booked.ID == "" {
		t.Errorf("the booking line answered %s (%v), want an accepted, pending booking", answers[2], err)
	}
	if !strings.Contains(answers[3], booked.ID) {
		t.Errorf("the list %s lacks booking %s", answers[3], booked.ID)
	}
	// The feed booking waited in the operator's queue, the operator
	// confirmed it, and its citizen reads it confirmed.
	var queue struct{ Items []struct{ ID, Status string } }
	var confirmed, feedBooking struct{ ID, Status string }
	if err := json.Unmarshal([]byte(answers[4]), &queue); err != nil || len(queue.Items) != 1 || queue.Items[0].Status != "pending" {
		t.Fatalf("the queue line answered %s (%v), want the one pending feed booking", answers[4], err)
	}
	if err := json.Unmarshal([]byte(answers[5]), &confirmed); err != nil || confirmed.ID != queue.Items[0].ID || confirmed.Status != "confirmed" {
		t.Errorf("the confirm line answered %s (%v), want booking %s confirmed", answers[5], err, queue.Items[0].ID)
	}
	if err := json.Unmarshal([]byte(answers[6]), &feedBooking); err != nil || feedBooking.ID != queue.Items[0].ID || feedBooking.Status != "confirmed" {
		t.Errorf("the citizen's read answered %s (%v), want booking %s confirmed", answers[6], err, queue.Items[0].ID)
	}
}

func mustCall(t *testing.T, method, url, token, body string, header map[string]string, status int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, b, status)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, url, err, b)
	}
}

// TestTheDemoWith85RegionsIdlesWithoutKafkaWarnings holds the fix of the
// idle-fetch storm: with 100ms fetches and four group members per region,
// 85 regions made the embedded broker answer late, and each late answer
// was an "i/o timeout" warning and a redial (about 1,200 in 30 s idle).
func TestTheDemoWith85RegionsIdlesWithoutKafkaWarnings(t *testing.T) {
	if testing.Short() {
		t.Skip("idles for 30 s")
	}
	stdout, stderr := startDemoLive(t, "--listen", "127.0.0.1:0", "--regions", "85", "--log-format", "json", "--log-level", "warn")
	if banner := stdout.String(); !strings.Contains(banner, "the consumer groups of all 85 regions held their partitions") {
		t.Fatalf("banner does not say the 85 regions' consumers run:\n%s", banner[:min(len(banner), 300)])
	}
	before := stderr.String()
	time.Sleep(30 * time.Second)
	idle := strings.TrimPrefix(stderr.String(), before)
	if n := strings.Count(idle, "i/o timeout"); n != 0 {
		t.Errorf("%d i/o-timeout warnings in 30 s idle, want 0; the first lines:\n%s", n, idle[:min(len(idle), 2000)])
	}
	if n := strings.Count(idle, `"msg":"kafka `); n != 0 {
		t.Errorf("%d Kafka client warnings in 30 s idle, want 0:\n%s", n, idle[:min(len(idle), 2000)])
	}
}
