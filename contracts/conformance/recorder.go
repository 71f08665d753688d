package conformance

import (
	"slices"
	"sync"
	"time"
)

// Recorder collects the latency of each operation the requirements'
// clients make (an HTTP call, a SOAP method, a port method), so the report
// shows how fast the MIS answers. Safe for concurrent use; a nil
// *Recorder records nothing.
type Recorder struct {
	mu      sync.Mutex
	order   []string
	samples map[string][]time.Duration
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{samples: map[string][]time.Duration{}} }

// Record adds one call of operation op that took d.
func (r *Recorder) Record(op string, d time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.samples[op]; !ok {
		r.order = append(r.order, op)
	}
	r.samples[op] = append(r.samples[op], d)
}

// Start times one call of op: calling the function it returns records it.
func (r *Recorder) Start(op string) func() {
	start := time.Now()
	return func() { r.Record(op, time.Since(start)) }
}

// OpLatency is the latency of one operation over a run.
type OpLatency struct {
	// Operation names the call ("GET /Slot", "GetScheduleInfo").
	Operation string
	// Count is how many calls were timed.
	Count int
	// P50, P90 and P99 are nearest-rank percentiles; Max the slowest call.
	P50, P90, P99, Max time.Duration
}

// Stats returns each operation's percentiles, in the order the operations
// were first recorded.
func (r *Recorder) Stats() []OpLatency {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]OpLatency, 0, len(r.order))
	for _, op := range r.order {
		s := slices.Clone(r.samples[op])
		slices.Sort(s)
		out = append(out, OpLatency{Operation: op, Count: len(s),
			P50: rank(s, 50), P90: rank(s, 90), P99: rank(s, 99), Max: s[len(s)-1]})
	}
	return out
}

// rank is the nearest-rank percentile p of the sorted samples s: a few
// lines, where a statistics library would bring far more than this needs.
func rank(s []time.Duration, p int) time.Duration {
	i := (p*len(s)+99)/100 - 1
	return s[max(i, 0)]
}
