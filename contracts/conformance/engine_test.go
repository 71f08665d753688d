package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/conformance"
)

// sample is one requirement of every outcome.
func sample(cleaned *[]string) []conformance.Requirement {
	return []conformance.Requirement{
		{ID: "X-OK-01", Title: "passes", Required: true, ReadOnly: true, Run: func(t conformance.T) { t.Logf("fine") }},
		{ID: "X-ERR-01", Title: "fails and goes on", Required: true, Run: func(t conformance.T) {
			t.Errorf("first")
			t.Errorf("second")
		}},
		{ID: "X-FATAL-01", Title: "fails at once and cleans up", Required: true, Run: func(t conformance.T) {
			t.Cleanup(func() { *cleaned = append(*cleaned, "a") })
			t.Cleanup(func() { *cleaned = append(*cleaned, "b") })
			t.Fatalf("GET /Slot → 500: %s", "<boom>")
			t.Errorf("never reached")
		}},
		{ID: "X-SKIP-01", Title: "skips", Required: true, ReadOnly: true, Run: func(t conformance.T) { t.Skipf("no token") }},
		{ID: "X-PANIC-01", Title: "panics", Required: true, Run: func(conformance.T) { panic("nil map") }},
		{ID: "X-REC-01", Title: "a recommendation fails", Run: func(t conformance.T) { t.Error("slow") }},
	}
}

func TestEachOutcomeIsReportedWithItsEvidence(t *testing.T) {
	var cleaned []string
	rep, err := conformance.Run(context.Background(), sample(&cleaned), conformance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]conformance.Status{"X-OK-01": "pass", "X-ERR-01": "fail", "X-FATAL-01": "fail",
		"X-SKIP-01": "skip", "X-PANIC-01": "fail", "X-REC-01": "fail"}
	for _, r := range rep.Results {
		if r.Status != want[r.ID] {
			t.Errorf("%s: %s, want %s (evidence %q)", r.ID, r.Status, want[r.ID], r.Evidence)
		}
	}
	if got := rep.Results[1].Evidence; len(got) != 2 {
		t.Errorf("Errorf twice gave evidence %q, want both messages", got)
	}
	if got := rep.Results[2].Evidence; len(got) != 1 || !strings.Contains(got[0], "GET /Slot") {
		t.Errorf("Fatalf gave evidence %q, want only its message", got)
	}
	if strings.Join(cleaned, "") != "ba" {
		t.Errorf("cleanups ran %q, want last registered first: ba", cleaned)
	}
	if got := rep.Results[4].Evidence; len(got) != 1 || !strings.Contains(got[0], "panic: nil map") {
		t.Errorf("a panic gave evidence %q, want the panic's text", got)
	}
	s := rep.Summary
	if s.Total != 6 || s.Passed != 1 || s.Failed != 4 || s.Skipped != 1 || s.RequiredFailed != 3 || rep.OK() {
		t.Errorf("summary %+v ok=%v, want 6 total, 1 passed, 4 failed (3 required), 1 skipped, not ok", s, rep.OK())
	}
}

func TestAFailedRecommendationAloneDoesNotFailTheRun(t *testing.T) {
	var cleaned []string
	rep, err := conformance.Run(context.Background(), sample(&cleaned), conformance.Options{Only: []string{"X-OK-01", "X-REC-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Summary.Failed != 1 {
		t.Errorf("summary %+v ok=%v, want one failure and the run ok", rep.Summary, rep.OK())
	}
}

func TestARequirementThatHangsFailsAtItsTimeoutAndTheRunGoesOn(t *testing.T) {
	reqs := []conformance.Requirement{
		{ID: "X-HANG-01", Title: "hangs", Required: true, Run: func(t conformance.T) { <-t.Context().Done() }},
		{ID: "X-OK-01", Title: "passes", Required: true, Run: func(conformance.T) {}},
	}
	rep, err := conformance.Run(context.Background(), reqs, conformance.Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Status != conformance.StatusFail || !strings.Contains(strings.Join(r.Evidence, ""), "did not finish within 50ms") {
		t.Errorf("hanging requirement: %s %q, want a failure naming its timeout", r.Status, r.Evidence)
	}
	if rep.Results[1].Status != conformance.StatusPass {
		t.Errorf("the next requirement: %s, want pass", rep.Results[1].Status)
	}
}

func TestSelectionByIDAndReadOnly(t *testing.T) {
	var cleaned []string
	reqs := sample(&cleaned)
	got, err := conformance.Select(reqs, nil, true)
	if err != nil || len(got) != 2 || got[0].ID != "X-OK-01" || got[1].ID != "X-SKIP-01" {
		t.Errorf("read-only selection %v, %v; want X-OK-01, X-SKIP-01", ids(got), err)
	}
	if _, err := conformance.Select(reqs, []string{"X-OK-01", "NOPE-01"}, false); !errors.Is(err, conformance.ErrUnknownRequirement) ||
		!strings.Contains(err.Error(), "NOPE-01") {
		t.Errorf("an unknown ID gave %v, want ErrUnknownRequirement naming it", err)
	}
}

func ids(reqs []conformance.Requirement) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.ID)
	}
	return out
}

func TestRecorderPercentiles(t *testing.T) {
	rec := conformance.NewRecorder()
	for i := 1; i <= 100; i++ {
		rec.Record("GET /Slot", time.Duration(i)*time.Millisecond)
	}
	rec.Record("POST $hold", 7*time.Millisecond)
	st := rec.Stats()
	if len(st) != 2 || st[0].Operation != "GET /Slot" || st[1].Operation != "POST $hold" {
		t.Fatalf("stats %+v, want two operations in first-seen order", st)
	}
	s := st[0]
	if s.Count != 100 || s.P50 != 50*time.Millisecond || s.P90 != 90*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond {
		t.Errorf("stats %+v, want 100 calls, p50 50ms, p90 90ms, p99 99ms, max 100ms", s)
	}
	if st[1].P50 != 7*time.Millisecond || st[1].P99 != 7*time.Millisecond {
		t.Errorf("one sample: %+v, want every percentile 7ms", st[1])
	}
}

func TestTheReportFilesReadBack(t *testing.T) {
	var cleaned []string
	rec := conformance.NewRecorder()
	rec.Record("GET /Slot", 3*time.Millisecond)
	rep, err := conformance.Run(context.Background(), sample(&cleaned), conformance.Options{Recorder: rec,
		Target: conformance.Target{Kind: "fhir", URL: "http://127.0.0.1:1/fhir", Region: "77", KitVersion: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := conformance.WriteFiles(dir, rep); err != nil {
		t.Fatal(err)
	}
	var suite struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Text string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	}
	if err := xml.Unmarshal(read(t, dir, conformance.JUnitFile), &suite); err != nil {
		t.Fatalf("report.xml: %v", err)
	}
	if suite.Tests != 6 || suite.Failures != 4 || suite.Skipped != 1 || len(suite.Cases) != 6 ||
		suite.Cases[0].Name != "X-OK-01 passes" || suite.Cases[2].Failure == nil || suite.Cases[3].Skipped == nil ||
		!strings.Contains(suite.Cases[2].Failure.Text, "<boom>") {
		t.Errorf("report.xml read back as %+v", suite)
	}
	var js struct {
		Schema  string `json:"schema"`
		OK      bool   `json:"ok"`
		Results []struct {
			ID       string   `json:"id"`
			Status   string   `json:"status"`
			Evidence []string `json:"evidence"`
		} `json:"results"`
		Latency []struct {
			Operation string  `json:"operation"`
			P50       float64 `json:"p50_ms"`
		} `json:"latency"`
		Target struct {
			Kind string `json:"kind"`
		} `json:"target"`
	}
	if err := json.Unmarshal(read(t, dir, conformance.JSONFile), &js); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if js.Schema != "1" || js.OK || len(js.Results) != 6 || js.Results[4].Status != "fail" || js.Target.Kind != "fhir" ||
		len(js.Latency) != 1 || js.Latency[0].P50 != 3 {
		t.Errorf("report.json read back as %+v", js)
	}
	page := string(read(t, dir, conformance.HTMLFile))
	for _, want := range []string{"X-OK-01", "X-PANIC-01", "FAILED", "&lt;boom&gt;", "GET /Slot", "http://127.0.0.1:1/fhir"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(page, "<boom>") || strings.Contains(page, "src=") || strings.Contains(page, "href=") {
		t.Error("report.html carries unescaped evidence or an external asset")
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

// RunTest is the go test form: a passing suite passes as subtests.
func TestRunTestNamesSubtestsByIDAndTitle(t *testing.T) {
	conformance.RunTest(t, []conformance.Requirement{
		{ID: "X-OK-01", Title: "passes", Required: true, Run: func(t conformance.T) {
			if _, ok := t.(*testing.T); !ok {
				t.Errorf("under go test T is %T, want *testing.T", t)
			}
		}},
	})
}

func TestACancelledRunSaysSoAndSkipsTheRest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	reqs := []conformance.Requirement{
		{ID: "X-WAIT-01", Title: "waits", Required: true, Run: func(t conformance.T) { cancel(); <-t.Context().Done() }},
		{ID: "X-OK-01", Title: "passes", Required: true, Run: func(conformance.T) {}},
	}
	rep, err := conformance.Run(ctx, reqs, conformance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Status != conformance.StatusFail || !strings.Contains(strings.Join(r.Evidence, ""), "cancelled") {
		t.Errorf("the running requirement: %s %q, want a failure saying the run was cancelled", r.Status, r.Evidence)
	}
	if r := rep.Results[1]; r.Status != conformance.StatusSkip {
		t.Errorf("the requirement after: %s, want skip", r.Status)
	}
}
