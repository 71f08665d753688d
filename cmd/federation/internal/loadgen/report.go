package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// Report is the figures of one run, printed as text and written as JSON.
// Field names in JSON are what scripts (deploy/bench/run.sh) read.
type Report struct {
	Mode        string            `json:"mode"` // "saga" or "direct"
	Target      string            `json:"target,omitempty"`
	Bookings    int               `json:"bookings"`
	Concurrency int               `json:"concurrency"`
	Rate        float64           `json:"rate,omitempty"`
	Faults      map[string]string `json:"faults,omitempty"`
	Started     time.Time         `json:"started"`
	Elapsed     float64           `json:"elapsed_seconds"`
	// Completed counts bookings that reached a final status.
	Completed  int     `json:"completed"`
	Throughput float64 `json:"bookings_per_second"`
	// NotStarted counts bookings the run ended before starting.
	NotStarted int                     `json:"not_started"`
	Latency    Latency                 `json:"latency"`
	Outcomes   map[string]int          `json:"outcomes"`
	Errors     map[string]int          `json:"errors"`
	Regions    map[string]RegionReport `json:"regions"`
	// Kinds are the same figures by region kind.
	Kinds map[string]KindReport `json:"kinds"`
	// Unfaulted is the latency of the regions without a fault, all their
	// bookings together, when the run injected faults: with one faulty
	// region among 85, its bookings are more than 1% of the run, so the
	// run's p99 would be the faulty region's, and a worst per-region p99
	// of ~60 bookings each says little.
	Unfaulted *Latency `json:"unfaulted_latency,omitempty"`
	// Windows are the figures of each Config.Window of the run, when set.
	Windows []Window `json:"windows,omitempty"`
}

// RegionReport is one region's share of a run.
type RegionReport struct {
	Outcomes map[string]int `json:"outcomes"`
	Latency  Latency        `json:"latency"`
}

func (r *recorder) report(cfg Config, started time.Time, elapsed time.Duration) Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{
		Mode: "saga", Target: cfg.Target, Bookings: cfg.Bookings, Concurrency: cfg.Concurrency, Rate: cfg.Rate,
		Faults: cfg.Faults, Started: started.UTC(), Elapsed: round3(elapsed.Seconds()),
		Outcomes: map[string]int{}, Errors: maps.Clone(r.errors), Regions: map[string]RegionReport{},
	}
	if cfg.Direct {
		rep.Mode, rep.Target = "direct", ""
	}
	var all, unfaulted []time.Duration
	recorded := 0
	for code, rs := range r.regions {
		if _, faulty := cfg.Faults[code]; !faulty {
			unfaulted = append(unfaulted, rs.latencies...)
		}
		for o, n := range rs.outcomes {
			rep.Outcomes[o] += n
			recorded += n
		}
		all = append(all, rs.latencies...)
		rep.Regions[code] = RegionReport{Outcomes: maps.Clone(rs.outcomes), Latency: summarize(rs.latencies)}
	}
	rep.Kinds = byKind(r.regions, cfg.kinds, elapsed)
	rep.Windows = r.windows(started, cfg.Window)
	rep.Latency = summarize(all)
	if len(cfg.Faults) > 0 {
		u := summarize(unfaulted)
		rep.Unfaulted = &u
	}
	rep.Completed = len(all)
	rep.NotStarted = cfg.Bookings - recorded
	if elapsed > 0 {
		rep.Throughput = round3(float64(rep.Completed) / elapsed.Seconds())
	}
	return rep
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// WriteText prints the report for people.
func (rep Report) WriteText(w io.Writer) {
	what := "bookings through " + rep.Target
	if rep.Mode == "direct" {
		what = "hold+book pairs straight to the MIS"
	}
	load := fmt.Sprintf("concurrency %d", rep.Concurrency)
	if rep.Rate > 0 {
		load = fmt.Sprintf("rate %.0f/s, at most %d in flight", rep.Rate, rep.Concurrency)
	}
	fmt.Fprintf(w, "mode %s: %d %s, %s\n", rep.Mode, rep.Bookings, what, load)
	for _, code := range slices.Sorted(maps.Keys(rep.Faults)) {
		fmt.Fprintf(w, "fault in region %s: %s\n", code, rep.Faults[code])
	}
	fmt.Fprintf(w, "completed %d in %.2fs: %.1f bookings/s", rep.Completed, rep.Elapsed, rep.Throughput)
	if rep.NotStarted > 0 {
		fmt.Fprintf(w, " (%d never started)", rep.NotStarted)
	}
	l := rep.Latency
	fmt.Fprintf(w, "\nlatency to final status: p50 %s  p95 %s  p99 %s  max %s\n", fmtMS(l.P50), fmtMS(l.P95), fmtMS(l.P99), fmtMS(l.Max))
	fmt.Fprintf(w, "outcomes: %s\n", counts(rep.Outcomes))
	fmt.Fprintf(w, "errors: %s\n", counts(rep.Errors))
	rep.writeRegions(w)
	rep.writeKinds(w)
}

func (rep Report) writeRegions(w io.Writer) {
	fmt.Fprintf(w, "%-7s %9s %9s %9s %9s %9s %9s\n", "region", "bookings", "confirmed", "other", "p50", "p99", "max")
	for _, code := range slices.Sorted(maps.Keys(rep.Regions)) {
		rr := rep.Regions[code]
		total := 0
		for _, n := range rr.Outcomes {
			total += n
		}
		conf := rr.Outcomes[OutcomeConfirmed]
		fmt.Fprintf(w, "%-7s %9d %9d %9d %9s %9s %9s\n", code, total, conf, total-conf,
			fmtMS(rr.Latency.P50), fmtMS(rr.Latency.P99), fmtMS(rr.Latency.Max))
	}
}

func fmtMS(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.1fms", v)
}

// counts prints a map as "a 3, b 1", largest first.
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(a, b string) int { return m[b] - m[a] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// WriteJSON writes the report to path.
func (rep Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
