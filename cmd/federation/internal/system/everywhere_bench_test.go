package system_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim"
)

// BenchmarkSearchAcrossRegions searches every region of 85 simulated FHIR
// regions at once, with one region down and one answering after 3 s, eight
// citizens at a time over seven specialties, and reports the answer's p50
// and p99 and the number of searches. The index runs with its defaults
// (fresh for a minute): the first search of each specialty fills it from
// every region, the down region is asked again every 5 s, the slow one's
// refresh (which never ends within the 3 s search timeout) too.
//
//	go test ./cmd/federation/internal/system -run XXX -bench SearchAcrossRegions -benchtime 2000x
func BenchmarkSearchAcrossRegions(b *testing.B) {
	h := newHarness(b, 85, func(o *system.Options) {
		// The load comes from one citizen at one address: lift their budgets.
		o.Limits = ratelimit.Config{Citizen: ratelimit.Budget{Reads: ratelimit.Rate{PerSecond: 1e6, Burst: 1e6}},
			Address: ratelimit.Budget{Reads: ratelimit.Rate{PerSecond: 1e6, Burst: 1e6}}}
	})
	codes := make([]string, 0, len(h.sims))
	for c := range h.sims {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	h.faults(codes[0], missim.Faults{Down: true})
	h.faults(codes[1], faultsLatency(3000))
	tok := h.token("citizen-bench-everywhere")
	specialties := []string{missim.SpecialtyTherapy, missim.SpecialtyPediatrics, missim.SpecialtyCardiology,
		missim.SpecialtyNeurology, missim.SpecialtyOphthalmology, missim.SpecialtySurgery, missim.SpecialtyDentistry}
	work := make(chan int, b.N)
	for i := range b.N {
		work <- i
	}
	close(work)
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range work {
				start := time.Now()
				r := h.call(http.MethodGet, "/api/v1/slots?specialty="+specialties[i%len(specialties)], tok, "", nil)
				took := time.Since(start)
				if r.status != http.StatusOK {
					b.Errorf("search: status %d: %s", r.status, r.body)
					return
				}
				mu.Lock()
				lat = append(lat, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lat)), "searches")
}
