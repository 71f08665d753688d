package loadgen

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	cases := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"an empty set has no latency", nil, 50, 0},
		{"one value is every percentile", []time.Duration{7}, 99, 7},
		{"the median of 1..100 is 50", hundred, 50, 50 * time.Millisecond},
		{"the 99th percentile of 1..100 is 99", hundred, 99, 99 * time.Millisecond},
		{"the 100th percentile is the maximum", hundred, 100, 100 * time.Millisecond},
		{"a tiny percentile is the minimum", hundred, 0.1, time.Millisecond},
		{"the median of two is the lower", []time.Duration{1, 2}, 50, 1},
		{"the 95th of four rounds up to the last", []time.Duration{1, 2, 3, 4}, 95, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := percentile(c.sorted, c.p); got != c.want {
				t.Fatalf("percentile(%v) = %v, want %v", c.p, got, c.want)
			}
		})
	}
}

func TestSummarizeSortsAndAverages(t *testing.T) {
	l := summarize([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	want := Latency{Count: 3, P50: 2, P95: 3, P99: 3, Max: 3, Mean: 2}
	if l != want {
		t.Fatalf("summarize = %+v, want %+v", l, want)
	}
}

func TestRecorderCountsAddUp(t *testing.T) {
	rec := newRecorder()
	rec.add(result{region: "77", outcome: OutcomeConfirmed, latency: 10 * time.Millisecond})
	rec.add(result{region: "77", outcome: OutcomeRejected, latency: 20 * time.Millisecond})
	rec.add(result{region: "78", outcome: OutcomeConfirmed, latency: 30 * time.Millisecond})
	rec.add(result{region: "78", outcome: OutcomeError, kind: "POST /bookings: http 503 region-unavailable"})
	rec.add(result{region: "78", outcome: OutcomeTimeout, kind: "timeout: not final within --timeout"})
	rep := rec.report(Config{Bookings: 6, Concurrency: 2}, time.Now(), 2*time.Second)

	if rep.Completed != 3 || rep.NotStarted != 1 {
		t.Errorf("completed %d, not started %d; want 3 and 1", rep.Completed, rep.NotStarted)
	}
	if rep.Throughput != 1.5 {
		t.Errorf("throughput %v, want 1.5 bookings/s", rep.Throughput)
	}
	if rep.Outcomes[OutcomeConfirmed] != 2 || rep.Outcomes[OutcomeError] != 1 || rep.Outcomes[OutcomeTimeout] != 1 {
		t.Errorf("outcomes %v", rep.Outcomes)
	}
	if len(rep.Errors) != 2 {
		t.Errorf("errors %v, want two kinds", rep.Errors)
	}
	if r := rep.Regions["78"]; r.Latency.Count != 1 || r.Latency.Max != 30 || r.Outcomes[OutcomeError] != 1 {
		t.Errorf("region 78: %+v", r)
	}
	if rep.Latency.P50 != 20 || rep.Latency.Max != 30 {
		t.Errorf("overall latency %+v", rep.Latency)
	}
}

func TestErrorCodeReadsProblemsAndOutcomes(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"a problem document gives its code", `{"status":503,"code":"region-unavailable"}`, "region-unavailable"},
		{"a refusal gives its refusal code",
			`{"resourceType":"OperationOutcome","issue":[{"code":"conflict","details":{"coding":[{"code":"slot-taken"}]}}]}`, "slot-taken"},
		{"a technical outcome gives its issue type", `{"resourceType":"OperationOutcome","issue":[{"code":"transient"}]}`, "transient"},
		{"a body that is not JSON gives nothing", `<html>`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := errorCode([]byte(c.body)); got != c.want {
				t.Fatalf("errorCode = %q, want %q", got, c.want)
			}
		})
	}
}

// TestWindowsGroupEndsByIntervalWithTheirOwnPercentiles: each window holds
// the bookings that ended in it, failures counted apart, its p99 its own.
func TestWindowsGroupEndsByIntervalWithTheirOwnPercentiles(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	rec := newRecorder()
	for i := range 100 {
		rec.ends = append(rec.ends, ended{at: t0.Add(time.Duration(i) * 100 * time.Millisecond), latency: time.Duration(i) * time.Millisecond})
	}
	rec.ends = append(rec.ends, ended{at: t0.Add(25 * time.Second), latency: time.Second},
		ended{at: t0.Add(26 * time.Second), failed: true})
	got := rec.windows(t0, 10*time.Second)
	if len(got) != 2 || got[0].Start != t0.Unix() || got[0].Completed != 100 || got[0].P99 != 98 ||
		got[1].Start != t0.Unix()+20 || got[1].Completed != 1 || got[1].Failed != 1 || got[1].P99 != 1000 {
		t.Errorf("windows %+v", got)
	}
	if rec.windows(t0, 0) != nil {
		t.Error("windows without an interval")
	}
}
