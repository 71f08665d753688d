package analytics

import "sort"

// LatencyBounds are the upper bounds, in seconds, of the end-to-end
// latency histogram's buckets; a last bucket takes everything above. They
// are stored by index: append, never change or reorder one.
var LatencyBounds = []float64{0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600}

// WaitingBounds are the upper bounds, in hours, of the waiting-time
// histogram's buckets (request to appointment): stored by index as well.
var WaitingBounds = []float64{4, 12, 24, 48, 72, 7 * 24, 14 * 24, 21 * 24, 30 * 24, 60 * 24, 90 * 24}

// MISCallBounds are the upper bounds, in milliseconds, of the buckets of
// the regional MIS calls' durations (analytics_mis_calls), from 1 ms to
// 30 s (a client's call timeout is below that); a last bucket takes
// everything above. Stored by index, like LatencyBounds.
var MISCallBounds = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000}

// noDuration is the bucket of a call that was never made (refused by the
// breaker or a budget): counted, but in no duration bucket.
const noDuration = -1

// bucketOf is the index of the bucket v falls in: the first bound at or
// above v, or len(bounds) for the open last bucket.
func bucketOf(bounds []float64, v float64) int {
	return sort.SearchFloat64s(bounds, v)
}

// histogram is bucket counts by index.
type histogram map[int]int64

func (h histogram) total() int64 {
	var n int64
	for _, c := range h {
		n += c
	}
	return n
}

// quantile returns the upper bound of the bucket that holds the q-th
// quantile (a conservative estimate: the true value is at most this),
// with open set when it is the last, unbounded bucket (the value is then
// "more than" the last bound returned).
func (h histogram) quantile(bounds []float64, q float64) (v float64, open bool) {
	n := h.total()
	rank := int64(q*float64(n) + 0.999999) // ceil, without float surprises at exact ranks
	rank = max(rank, 1)
	var seen int64
	for i := 0; i <= len(bounds); i++ {
		if seen += h[i]; seen >= rank {
			if i == len(bounds) {
				return bounds[len(bounds)-1], true
			}
			return bounds[i], false
		}
	}
	return bounds[len(bounds)-1], true
}
