package loadgen

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// kindFHIR is the kind of every region in direct mode, which speaks only
// the federal FHIR contract to the MIS.
const kindFHIR = "fhir"

// KindReport is one region kind's share of a run (fhir, soap, jsonrpc:
// the style the regions' MIS speak), so that runs over regions of several
// kinds show what each kind costs.
type KindReport struct {
	Regions   []string `json:"regions"`
	Completed int      `json:"completed"`
	// Throughput is the kind's final bookings per second of the run.
	Throughput float64        `json:"bookings_per_second"`
	Outcomes   map[string]int `json:"outcomes"`
	Latency    Latency        `json:"latency"`
}

// byKind groups the regions' figures by their kind (kinds: region code →
// kind; a region missing from it is "unknown").
func byKind(regions map[string]*regionStats, kinds map[string]string, elapsed time.Duration) map[string]KindReport {
	grouped := map[string][]string{}
	for code := range regions {
		k := kinds[code]
		if k == "" {
			k = "unknown"
		}
		grouped[k] = append(grouped[k], code)
	}
	out := map[string]KindReport{}
	for k, codes := range grouped {
		slices.Sort(codes)
		kr := KindReport{Regions: codes, Outcomes: map[string]int{}}
		var lat []time.Duration
		for _, c := range codes {
			for o, n := range regions[c].outcomes {
				kr.Outcomes[o] += n
			}
			lat = append(lat, regions[c].latencies...)
		}
		kr.Latency, kr.Completed = summarize(lat), len(lat)
		if elapsed > 0 {
			kr.Throughput = round3(float64(kr.Completed) / elapsed.Seconds())
		}
		out[k] = kr
	}
	return out
}

func (rep Report) writeKinds(w io.Writer) {
	fmt.Fprintf(w, "%-8s %-14s %9s %9s %11s %9s %9s\n", "kind", "regions", "bookings", "confirmed", "bookings/s", "p50", "p99")
	for _, k := range slices.Sorted(maps.Keys(rep.Kinds)) {
		kr := rep.Kinds[k]
		total := 0
		for _, n := range kr.Outcomes {
			total += n
		}
		fmt.Fprintf(w, "%-8s %-14s %9d %9d %11.1f %9s %9s\n", k, strings.Join(kr.Regions, ","), total, kr.Outcomes[OutcomeConfirmed],
			kr.Throughput, fmtMS(kr.Latency.P50), fmtMS(kr.Latency.P99))
	}
}
