package drill

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/sagas/reconcile"
)

// Isolation bounds: a healthy region's p99 may grow by 20% during a fault
// in another region, but on a shared, noisy machine small absolute changes
// mean nothing, so the drill fails only when the growth is also above 50 ms.
const (
	isolationRatio = 1.2
	isolationAbs   = 50 * time.Millisecond
)

// Result is one drill's outcome.
type Result struct {
	Drill  string
	Counts reconcile.Counts
	// Kinds are the counts per region kind; each must be zero too.
	Kinds    []KindResult
	Accepted int
	Refused  int
	// Extra holds drill-specific figures, printed as key=value in order.
	Extra [][2]string
	// Failures are broken expectations beyond the counts.
	Failures []string
	// Isolation figures, when the drill faults one region only, and why
	// they broke the bound (empty when they did not). A latency figure, so
	// kept apart from the invariants: a test on a busy machine checks the
	// invariants, the drill command judges both.
	HealthyP99, BaselineP99 time.Duration
	Isolation               bool
	IsolationBroken         string
	Took                    time.Duration
}

// Failed reports whether the drill broke an invariant or expectation.
func (r Result) Failed() bool { return r.InvariantsBroken() || r.IsolationBroken != "" }

// InvariantsBroken reports whether the drill lost, doubled, orphaned or
// mismatched anything, or broke another expectation than isolation.
func (r Result) InvariantsBroken() bool {
	for _, k := range r.Kinds {
		if !k.Counts.OK() {
			return true
		}
	}
	return !r.Counts.OK() || len(r.Failures) > 0
}

func (r *Result) extra(k string, v any) { r.Extra = append(r.Extra, [2]string{k, fmt.Sprint(v)}) }

// String is the drill's one-line report.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "drill=%s", r.Drill)
	for _, kv := range r.Extra {
		fmt.Fprintf(&b, " %s=%s", kv[0], kv[1])
	}
	fmt.Fprintf(&b, " accepted=%d refused=%d %s", r.Accepted, r.Refused, r.Counts)
	if r.Isolation {
		fmt.Fprintf(&b, " healthy_p99=%dms baseline_p99=%dms", r.HealthyP99.Milliseconds(), r.BaselineP99.Milliseconds())
	}
	fmt.Fprintf(&b, " took=%.0fs", r.Took.Seconds())
	if failures := r.allFailures(); len(failures) > 0 {
		fmt.Fprintf(&b, " FAILED: %s", strings.Join(failures, "; "))
	}
	return b.String()
}

func (r Result) allFailures() []string {
	if r.IsolationBroken == "" {
		return r.Failures
	}
	return append(append([]string(nil), r.Failures...), r.IsolationBroken)
}

// isolation fills in the healthy regions' p99 during the fault against the
// baseline, and fails the drill when the judged percentile grew past both
// bounds. The judged one is the p99 when each side has at least
// judgedTail bookings above it, else the p90: a short drill has about a
// hundred healthy bookings a side, whose p99 is their largest but one, a
// figure of the machine's noise (one GC pause, another process's build)
// rather than of isolation. A region really held up by another's fault
// moves the whole upper tail, which the p90 sees as well. The full-length
// drill's thousands of bookings are judged on their p99.
func (r *Result) isolation(all []*accepted, faulted ...string) {
	r.Isolation = true
	healthy := func(phase string) func(*accepted) bool {
		return func(b *accepted) bool { return !slices.Contains(faulted, b.Region) && b.Phase == phase }
	}
	r.HealthyP99, r.BaselineP99 = p99(all, healthy("fault")), p99(all, healthy("baseline"))
	judged, fault, base := "p99", r.HealthyP99, r.BaselineP99
	if min(count(all, healthy("fault")), count(all, healthy("baseline"))) < 100*judgedTail {
		judged, fault, base = "p90", percentile(all, healthy("fault"), 0.90), percentile(all, healthy("baseline"), 0.90)
		r.extra("healthy_p90", fault.Round(time.Millisecond))
		r.extra("baseline_p90", base.Round(time.Millisecond))
	}
	if grew := fault - base; float64(fault) > isolationRatio*float64(base) && grew > isolationAbs {
		r.IsolationBroken = fmt.Sprintf("healthy regions' %s grew by %s during the fault", judged, grew.Round(time.Millisecond))
	}
}

// judgedTail is how many bookings must lie above a percentile for the
// isolation bound to judge it.
const judgedTail = 10

// count is how many final bookings match.
func count(all []*accepted, match func(*accepted) bool) int {
	n := 0
	for _, b := range all {
		if match(b) && !b.Final.IsZero() {
			n++
		}
	}
	return n
}

// p99 is the 99th percentile of the time from request to final status of
// the final bookings that match.
func p99(all []*accepted, match func(*accepted) bool) time.Duration {
	return percentile(all, match, 0.99)
}

// percentile is the q-th quantile (0 < q < 1) of the time from request to
// final status of the final bookings that match.
func percentile(all []*accepted, match func(*accepted) bool, q float64) time.Duration {
	var ds []time.Duration
	for _, b := range all {
		if match(b) && !b.Final.IsZero() {
			ds = append(ds, b.Final.Sub(b.Start))
		}
	}
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[max(0, int(float64(len(ds))*q+0.5)-1)]
}
