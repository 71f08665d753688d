package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HistoryConfig is a history run (--history): Reads requests of GET
// /api/v1/bookings, each as one of Citizens citizens whose subjects are
// Prefix+0 .. Prefix+(Citizens-1), round robin: the citizens "federation
// seed" writes with the most bookings come first.
type HistoryConfig struct {
	Reads    int
	Prefix   string
	Citizens int
}

// parseHistoryCitizens reads "PREFIX:COUNT", e.g. "seed-:100".
func parseHistoryCitizens(v string, h *HistoryConfig) error {
	i := strings.LastIndexByte(v, ':')
	n, err := strconv.Atoi(v[i+1:])
	if i <= 0 || err != nil || n <= 0 {
		return fmt.Errorf("--history-citizens %q: want PREFIX:COUNT, e.g. seed-:100", v)
	}
	h.Prefix, h.Citizens = v[:i], n
	return nil
}

// HistoryReport is the figures of a history run.
type HistoryReport struct {
	Mode        string  `json:"mode"` // "history"
	Target      string  `json:"target"`
	Reads       int     `json:"reads"`
	Citizens    int     `json:"citizens"`
	Concurrency int     `json:"concurrency"`
	Elapsed     float64 `json:"elapsed_seconds"`
	Throughput  float64 `json:"reads_per_second"`
	Latency     Latency `json:"latency"`
	// Bookings is the mean number of bookings a page held.
	Bookings float64        `json:"bookings_per_page"`
	Errors   map[string]int `json:"errors"`
}

// RunHistory reads the history of h's citizens h.Reads times through the
// API, cfg.Concurrency reads at a time, and reports their latency.
func RunHistory(ctx context.Context, cfg Config, h HistoryConfig) (HistoryReport, error) {
	cfg.setDefaults()
	if err := cfg.validateTargets(); err != nil {
		return HistoryReport{}, fmt.Errorf("loadgen: %w", err)
	}
	if h.Reads <= 0 || h.Citizens <= 0 {
		return HistoryReport{}, errors.New("loadgen: a history run needs reads and citizens")
	}
	client := newHTTPClient(cfg.Concurrency)
	defer client.CloseIdleConnections()
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = cfg.Target + "/api/v1/dev/token"
	}
	tokens, err := fetchNamedTokens(ctx, client, tokenURL, func(i int) string { return h.Prefix + strconv.Itoa(i) },
		0, h.Citizens, min(cfg.Concurrency, 16))
	if err != nil {
		return HistoryReport{}, fmt.Errorf("loadgen: %w", err)
	}
	var (
		next     atomic.Int64
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, h.Reads)
		errs     = map[string]int{}
		bookings int
		wg       sync.WaitGroup
	)
	started := time.Now()
	for range cfg.Concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= h.Reads || ctx.Err() != nil {
					return
				}
				var page struct {
					Bookings []json.RawMessage `json:"bookings"`
				}
				t := time.Now()
				err := call(ctx, client, "GET bookings", http.MethodGet, cfg.Target+"/api/v1/bookings",
					http.Header{"Authorization": {"Bearer " + tokens[i%len(tokens)]}}, nil, &page)
				d := time.Since(t)
				mu.Lock()
				if err != nil {
					errs[kindOf(err)]++
				} else {
					lat = append(lat, d)
					bookings += len(page.Bookings)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(started)
	rep := HistoryReport{Mode: "history", Target: cfg.Target, Reads: h.Reads, Citizens: h.Citizens, Concurrency: cfg.Concurrency,
		Elapsed: round3(elapsed.Seconds()), Throughput: round3(float64(len(lat)) / elapsed.Seconds()), Errors: errs}
	if len(lat) > 0 {
		rep.Bookings = round3(float64(bookings) / float64(len(lat)))
	}
	rep.Latency = summarize(lat)
	return rep, nil
}

// WriteText prints the report.
func (rep HistoryReport) WriteText(w io.Writer) {
	fmt.Fprintf(w, "history: %d reads of %d citizens' pages, %d at a time, in %.1fs: %.1f reads/s, %.1f bookings a page\n",
		rep.Latency.Count, rep.Citizens, rep.Concurrency, rep.Elapsed, rep.Throughput, rep.Bookings)
	l := rep.Latency
	fmt.Fprintf(w, "latency ms: p50 %s  p95 %s  p99 %s  max %s\n", fmtMS(l.P50), fmtMS(l.P95), fmtMS(l.P99), fmtMS(l.Max))
	if len(rep.Errors) > 0 {
		fmt.Fprintf(w, "errors: %s\n", counts(rep.Errors))
	}
}

// WriteJSON writes the report to path.
func (rep HistoryReport) WriteJSON(path string) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
