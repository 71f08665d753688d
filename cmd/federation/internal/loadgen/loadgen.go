package loadgen

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Main is "federation loadgen": it parses args (without the command name),
// runs the load, prints the report to stdout (progress to stderr) and
// writes it as JSON with --json. It fails when no booking became final.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	rep, err := Run(ctx, o.cfg, stderr)
	if err != nil {
		return err
	}
	rep.WriteText(stdout)
	if o.jsonPath != "" {
		if err := rep.WriteJSON(o.jsonPath); err != nil {
			return err
		}
	}
	if rep.Completed == 0 {
		return errors.New("loadgen: no booking reached a final status")
	}
	return nil
}

// Run gathers free slots, makes cfg.Bookings bookings and reports what
// they came to. Progress lines go to progress (nil: none). It returns an
// error only when the run could not start (bad config, no slots, no
// tokens); failed bookings are figures in the report.
func Run(ctx context.Context, cfg Config, progressOut io.Writer) (Report, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return Report{}, fmt.Errorf("loadgen: %w", err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, cfg.MaxDuration, errRunOver)
	defer cancel()
	client := newHTTPClient(cfg.Concurrency)
	defer client.CloseIdleConnections()
	book, fetch, err := prepare(ctx, &cfg, client)
	if err != nil {
		return Report{}, fmt.Errorf("loadgen: %w", err)
	}
	jobs, need := plan(cfg.Bookings, cfg.Citizens, cfg.Regions)
	if err := assignSlots(ctx, jobs, need, fetch); err != nil {
		return Report{}, fmt.Errorf("loadgen: %w", err)
	}
	restore, err := injectFaults(ctx, client, cfg)
	defer func() { _ = restore() }()
	if err != nil {
		return Report{}, fmt.Errorf("loadgen: inject faults: %w", err)
	}
	rec := newRecorder()
	stop := progress(progressOut, cfg.Progress, cfg.Bookings, rec)
	started := time.Now()
	if cfg.Rate > 0 {
		openLoop(ctx, cfg, jobs, book, rec)
	} else {
		closedLoop(ctx, cfg, jobs, book, rec)
	}
	elapsed := time.Since(started)
	stop()
	if err := restore(); err != nil {
		return Report{}, fmt.Errorf("loadgen: restore faults: %w", err)
	}
	return rec.report(cfg, started, elapsed), nil
}

// prepare readies the mode: in saga mode the citizens' tokens and the
// region list; it returns how to book and how to find a region's slots.
func prepare(ctx context.Context, cfg *Config, client *http.Client) (bookFunc, func(string) fetchFunc, error) {
	run := strings.ToLower(rand.Text()[:10])
	if cfg.Direct {
		m := &directMode{cfg: *cfg, client: client, run: run}
		return m.book, m.fetchSlots, nil
	}
	m := &sagaMode{cfg: *cfg, client: client, run: run}
	if len(cfg.Regions) == 0 {
		regions, err := m.regions(ctx)
		if err != nil {
			return nil, nil, err
		}
		if len(regions) == 0 {
			return nil, nil, errors.New("the target lists no regions")
		}
		cfg.Regions, m.cfg.Regions = regions, regions
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = cfg.Target + "/api/v1/dev/token"
	}
	tokens, err := fetchTokens(ctx, client, tokenURL, run, cfg.Citizens, min(cfg.Concurrency, 16))
	if err != nil {
		return nil, nil, err
	}
	m.tokens = tokens
	return m.book, m.fetchSlots, nil
}

// assignSlots finds each region's free slots, all regions at once, and
// gives every job its own: no slot is booked twice.
func assignSlots(ctx context.Context, jobs []job, need map[string]int, fetch func(string) fetchFunc) error {
	found := map[string][]slotRef{}
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for region, n := range need {
		wg.Go(func() {
			slots, err := gather(ctx, n, fetch(region))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("region %s: %w", region, err))
			}
			found[region] = slots
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	next := map[string]int{}
	for i := range jobs {
		r := jobs[i].region
		jobs[i].slot = found[r][next[r]].id
		next[r]++
	}
	return nil
}

// citizenID names the pool's n-th citizen of a run.
func citizenID(run string, n int) string { return fmt.Sprintf("loadgen-%s-%d", run, n) }

// fetchTokens asks the development issuer at url for one token per citizen.
func fetchTokens(ctx context.Context, c *http.Client, url, run string, n, workers int) ([]string, error) {
	tokens := make([]string, n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n && errs[w] == nil; i += workers {
				var out struct{ Token string }
				body := fmt.Appendf(nil, `{"citizen_id":%q}`, citizenID(run, i))
				errs[w] = call(ctx, c, "POST token", http.MethodPost, url,
					http.Header{"Content-Type": {"application/json"}}, body, &out)
				tokens[i] = out.Token
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("citizens' tokens (is the development issuer on?): %w", err)
	}
	return tokens, nil
}
