package drill

import (
	"strings"
	"testing"
	"time"
)

// bookingsOf makes n final bookings of region in phase, the i-th taking
// latency(i).
func bookingsOf(region, phase string, n int, latency func(i int) time.Duration) []*accepted {
	t0 := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	out := make([]*accepted, n)
	for i := range out {
		out[i] = &accepted{Region: region, Phase: phase, Start: t0, Final: t0.Add(latency(i)), Status: "confirmed"}
	}
	return out
}

func TestAShortDrillsIsolationIsJudgedOnItsUpperTailNotOnItsLargestBookings(t *testing.T) {
	steady := func(int) time.Duration { return 20 * time.Millisecond }
	// Two stray bookings of a hundred (a GC pause, a build next door): the
	// p99 is one of them, the tail is not moved.
	stray := func(i int) time.Duration {
		if i < 2 {
			return 500 * time.Millisecond
		}
		return 20 * time.Millisecond
	}
	// A region held up behind another's fault: a fifth of its bookings
	// wait for the faulty region's timeout.
	heldUp := func(i int) time.Duration {
		if i%5 == 0 {
			return time.Second
		}
		return 20 * time.Millisecond
	}
	faultyRegion := bookingsOf("25", "fault", 100, func(int) time.Duration { return 3 * time.Second })
	for _, c := range []struct {
		name   string
		fault  func(int) time.Duration
		broken bool
	}{{"steady", steady, false}, {"two stray bookings", stray, false}, {"held up", heldUp, true}} {
		all := append(append(bookingsOf("78", "baseline", 100, steady), bookingsOf("78", "fault", 100, c.fault)...), faultyRegion...)
		var r Result
		r.isolation(all, "25")
		if broken := r.IsolationBroken != ""; broken != c.broken {
			t.Errorf("%s: isolation broken %v (%q), want %v", c.name, broken, r.IsolationBroken, c.broken)
		}
		if c.broken && !strings.Contains(r.IsolationBroken, "p90") {
			t.Errorf("%s: %q does not name the percentile judged", c.name, r.IsolationBroken)
		}
		if c.name == "two stray bookings" && r.HealthyP99 != 500*time.Millisecond {
			t.Errorf("the p99 reported is %s, want the stray 500ms still shown", r.HealthyP99)
		}
	}
	// With a thousand bookings a side the p99 itself is judged.
	all := append(bookingsOf("78", "baseline", 1000, steady), bookingsOf("78", "fault", 1000, func(i int) time.Duration {
		if i < 20 {
			return time.Second
		}
		return 20 * time.Millisecond
	})...)
	var r Result
	r.isolation(all, "25")
	if !strings.Contains(r.IsolationBroken, "p99") {
		t.Errorf("2%% of a thousand bookings held up: %q, want the p99 judged broken", r.IsolationBroken)
	}
}
