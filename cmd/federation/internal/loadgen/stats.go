package loadgen

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Outcomes of one booking. The first four are the booking's final
// statuses (direct mode uses confirmed and rejected); timeout and error
// mean the run never learned a final status.
const (
	OutcomeConfirmed = "confirmed"
	OutcomeRejected  = "rejected"
	OutcomeFailed    = "failed"
	OutcomeCancelled = "cancelled"
	OutcomeTimeout   = "timeout"
	OutcomeError     = "error"
)

// final reports whether an outcome is a final status, whose latency counts.
func final(outcome string) bool {
	switch outcome {
	case OutcomeConfirmed, OutcomeRejected, OutcomeFailed, OutcomeCancelled:
		return true
	}
	return false
}

// result is what one booking came to.
type result struct {
	region  string
	outcome string
	latency time.Duration // from the (scheduled) start to the final status
	kind    string        // what went wrong, for timeout and error
}

// recorder collects results from many workers. Latencies are kept whole
// (8 bytes a booking), so percentiles are exact, not estimated.
type recorder struct {
	mu      sync.Mutex
	regions map[string]*regionStats
	errors  map[string]int
	// ends are when each booking finished, for the report's windows.
	ends []ended

	// Counters read by the progress line without the lock.
	finished, failedRuns atomic.Int64
}

// ended is one booking's end: when, its latency, whether it failed.
type ended struct {
	at      time.Time
	latency time.Duration
	failed  bool
}

type regionStats struct {
	outcomes  map[string]int
	latencies []time.Duration
}

func newRecorder() *recorder {
	return &recorder{regions: map[string]*regionStats{}, errors: map[string]int{}}
}

func (r *recorder) add(res result) {
	if final(res.outcome) {
		r.finished.Add(1)
	} else {
		r.failedRuns.Add(1)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ends = append(r.ends, ended{at: time.Now(), latency: res.latency, failed: !final(res.outcome)})
	rs := r.regions[res.region]
	if rs == nil {
		rs = &regionStats{outcomes: map[string]int{}}
		r.regions[res.region] = rs
	}
	rs.outcomes[res.outcome]++
	if final(res.outcome) {
		rs.latencies = append(rs.latencies, res.latency)
	} else {
		r.errors[res.kind]++
	}
}

// Latency summarises a set of latencies in milliseconds.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

// summarize computes nearest-rank percentiles; it sorts ds in place.
func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return Latency{
		Count: len(ds),
		P50:   ms(percentile(ds, 50)), P95: ms(percentile(ds, 95)), P99: ms(percentile(ds, 99)),
		Max: ms(ds[len(ds)-1]), Mean: ms(sum / time.Duration(len(ds))),
	}
}

// percentile is the nearest-rank p-th percentile of sorted: the smallest
// value with at least p% of the values at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

// Window is the bookings that ended in one interval of a run (--window):
// how a long run's latency moved.
type Window struct {
	// Start is the interval's start, Unix seconds.
	Start     int64   `json:"start_unix"`
	Completed int     `json:"completed"`
	Failed    int     `json:"failed"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
}

// windows groups the ends by interval every from started.
func (r *recorder) windows(started time.Time, every time.Duration) []Window {
	if every <= 0 {
		return nil
	}
	var out []Window
	var lat []time.Duration
	flush := func(w *Window) {
		if w == nil {
			return
		}
		l := summarize(lat)
		w.P50, w.P99 = l.P50, l.P99
		out = append(out, *w)
		lat = lat[:0]
	}
	ends := slices.Clone(r.ends)
	slices.SortFunc(ends, func(a, b ended) int { return a.at.Compare(b.at) })
	var cur *Window
	for _, e := range ends {
		i := int64(e.at.Sub(started) / every)
		start := started.Add(time.Duration(i) * every).Unix()
		if cur == nil || cur.Start != start {
			flush(cur)
			cur = &Window{Start: start}
		}
		if e.failed {
			cur.Failed++
		} else {
			cur.Completed++
			lat = append(lat, e.latency)
		}
	}
	flush(cur)
	return out
}
