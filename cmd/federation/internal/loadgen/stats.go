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

	// Counters read by the progress line without the lock.
	finished, failedRuns atomic.Int64
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
