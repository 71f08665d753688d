package system_test

import (
	"flag"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim"
)

// BenchmarkBookingLatency books one slot at a time (light load) across five
// regions whose MIS answer after 2 ms, and reports the time from the
// citizen's POST to the long-poll answering "confirmed".
//
//	go test ./cmd/federation/internal/system -run XXX -bench BookingLatency -benchtime 300x
func BenchmarkBookingLatency(b *testing.B) {
	h, toks, slots := benchSystem(b)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		tok := toks[i]
		id := h.book(tok, slots[i].ID)
		var v bookingView
		h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings/"+id+"?wait=10s", tok, "", nil), http.StatusOK, &v)
		if v.Status != "confirmed" {
			b.Fatalf("booking %s ended %s", id, v.Status)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkStart measures how long the whole system takes to be ready: the
// embedded broker, the store, five regions' consumers and the API.
func BenchmarkStart(b *testing.B) {
	for range b.N {
		h := newHarness(b, 5, nil)
		b.StopTimer()
		h.stop()
		b.StartTimer()
	}
}

var benchConcurrency = flag.Int("bench.concurrency", 64, "BenchmarkBookingThroughput: bookings in flight")

// BenchmarkBookingThroughput books with -bench.concurrency citizens at once
// across five regions (MIS latency 2 ms) and reports completed bookings per
// second.
//
//	go test ./cmd/federation/internal/system -run XXX -bench BookingThroughput -benchtime 3000x -bench.concurrency 256
func BenchmarkBookingThroughput(b *testing.B) {
	h, toks, slots := benchSystem(b)
	type job struct {
		slot slotView
		tok  string
	}
	next := make(chan job, b.N)
	for i, s := range slots[:b.N] {
		next <- job{s, toks[i]}
	}
	close(next)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range *benchConcurrency {
		wg.Go(func() {
			for j := range next {
				tok := j.tok
				id := h.book(tok, j.slot.ID)
				var v bookingView
				h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings/"+id+"?wait=20s", tok, "", nil), http.StatusOK, &v)
				if v.Status != "confirmed" {
					b.Errorf("booking %s ended %s", id, v.Status)
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "bookings/s")
}

// benchSystem starts five regions whose MIS answer after 2 ms and gathers
// b.N free slots across them, each with a citizen of its own (the
// citizen guards and per-citizen limits stay on, as in production; the
// per-address limits are lifted: every request comes from one address).
func benchSystem(b *testing.B) (*harness, []string, []slotView) {
	unlimited := ratelimit.Rate{PerSecond: 1e9, Burst: 1e9}
	h := newHarness(b, 5, func(o *system.Options) {
		o.Limits.Address = ratelimit.Budget{Reads: unlimited, Writes: unlimited}
	})
	tok := h.token("bench")
	var slots []slotView
	for code := range h.sims {
		h.faults(code, missim.Faults{LatencyMS: 2})
		slots = append(slots, h.freeSlots(tok, code, min(1000, b.N/5+1))...)
	}
	if len(slots) < b.N {
		b.Fatalf("%d slots for %d bookings", len(slots), b.N)
	}
	toks := make([]string, b.N)
	for i := range toks {
		toks[i] = h.token(fmt.Sprintf("bench-%d", i))
	}
	return h, toks, slots
}

// BenchmarkSlotSearch measures GET /api/v1/slots (a week, 200 slots) through
// the API, the region's breaker and client, and the reference MIS.
//
//	go test ./cmd/federation/internal/system -run X -bench SlotSearch
func BenchmarkSlotSearch(b *testing.B) {
	h := newHarness(b, 1, nil)
	tok := h.token("bench")
	b.ResetTimer()
	for range b.N {
		r := h.call(http.MethodGet, "/api/v1/slots?region=77&limit=200", tok, "", nil)
		if r.status != http.StatusOK {
			b.Fatalf("search: %d %s", r.status, r.body)
		}
	}
}
