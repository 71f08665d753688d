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
	dir := t.TempDir() // before the cleanup below, so removed after the demo stopped
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--listen", listen, "--regions", "1", "--data", dir}, &stdout, &stderr)
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
	return stdout.String(), stderr.String()
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
	mustCall(t, http.MethodGet, api+"/slots?region=77&specialty=therapist&limit=3", tok.Token, "", nil, http.StatusOK, &found)
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

func TestTheTryItBlockRunsAsPrintedInAPOSIXShell(t *testing.T) {
	for _, tool := range []string{"sh", "curl", "sed", "date"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	banner := startDemo(t)
	block := banner[strings.Index(banner, "Try it"):strings.Index(banner, "Press Ctrl+C")]
	lines := strings.Split(strings.TrimSpace(block), "\n")[1:]
	// Each line's output on a line of its own, so the booking's answer can be picked out.
	script := "set -e\n" + strings.Join(lines, "\necho\n") + "\n"
	out, err := exec.Command("sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("the Try-it block failed: %v\n%s\n%s", err, script, out)
	}
	// One compact JSON answer a line; the two assignments print nothing.
	answers := slices.DeleteFunc(strings.Split(string(out), "\n"), func(l string) bool { return strings.TrimSpace(l) == "" })
	if len(answers) != 4 {
		t.Fatalf("%d answers, want 4 (regions, slots, booking, bookings):\n%s", len(answers), out)
	}
	var booked struct{ ID, Status string }
	if err := json.Unmarshal([]byte(answers[2]), &booked); err != nil || booked.Status != "pending" || booked.ID == "" {
		t.Errorf("the booking line answered %s (%v), want an accepted, pending booking", answers[2], err)
	}
	if !strings.Contains(answers[3], booked.ID) {
		t.Errorf("the list %s lacks booking %s", answers[3], booked.ID)
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
