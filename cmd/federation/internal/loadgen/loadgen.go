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
	if o.history.Reads > 0 {
		rep, err := RunHistory(ctx, o.cfg, o.history)
		if err != nil {
			return err
		}
		rep.WriteText(stdout)
		if o.jsonPath != "" {
			if err := rep.WriteJSON(o.jsonPath); err != nil {
				return err
			}
		}
		if rep.Latency.Count == 0 {
			return errors.New("loadgen: no history read answered")
		}
		return nil
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
	book, fetch, enlist, stopOperators, err := prepare(ctx, &cfg, client)
	if err != nil {
		return Report{}, fmt.Errorf("loadgen: %w", err)
	}
	defer stopOperators()
	jobs, need := plan(cfg.Bookings, cfg.Regions)
	if err := assignSlots(ctx, jobs, need, fetch); err != nil {
		return Report{}, fmt.Errorf("loadgen: %w", err)
	}
	if err := enlist(ctx, assignCitizens(jobs, cfg.Citizens)); err != nil {
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

// prepare readies the mode: in saga mode the first citizen's token (the
// slot search needs one) and the region list; it returns how to book, how
// to find a region's slots, and how to sign the tokens of the citizens the
// jobs were given (direct mode has no citizens).
//
// In saga mode it also starts the operator bot of the run's feed regions
// (operatorBot), whose stop it returns; otherwise stop does nothing.
func prepare(ctx context.Context, cfg *Config, client *http.Client) (book bookFunc, fetch func(string) fetchFunc, enlist func(context.Context, int) error, stop func(), err error) {
	run := strings.ToLower(rand.Text()[:10])
	if cfg.Direct {
		cfg.kinds = map[string]string{}
		for _, r := range cfg.Regions {
			cfg.kinds[r] = kindFHIR
		}
		m := &directMode{cfg: *cfg, client: client, run: run}
		return m.book, m.fetchSlots, func(context.Context, int) error { return nil }, func() {}, nil
	}
	m := &sagaMode{cfg: *cfg, client: client, run: run}
	regions, kinds, err := m.regions(ctx, cfg.Regions)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	cfg.kinds, m.cfg.kinds = kinds, kinds
	if len(cfg.Regions) == 0 {
		if len(regions) == 0 {
			return nil, nil, nil, nil, errors.New("the target lists no regions")
		}
		cfg.Regions, m.cfg.Regions = regions, regions
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = cfg.Target + "/api/v1/dev/token"
	}
	enlist = func(ctx context.Context, n int) error {
		if n <= len(m.tokens) {
			return nil
		}
		tokens, err := fetchTokens(ctx, client, tokenURL, run, len(m.tokens), n, min(cfg.Concurrency, 16))
		m.tokens = append(m.tokens, tokens...)
		return err
	}
	if err := enlist(ctx, 1); err != nil {
		return nil, nil, nil, nil, err
	}
	if stop, err = m.startOperators(ctx, tokenURL); err != nil {
		return nil, nil, nil, nil, err
	}
	return m.book, m.fetchSlots, enlist, stop, nil
}

// assignSlots finds each region's free slots, gatherAtOnce regions at a
// time, and gives every job its own: no slot is booked twice.
func assignSlots(ctx context.Context, jobs []job, need map[string]int, fetch func(string) fetchFunc) error {
	found := map[string][]slotRef{}
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	sem := make(chan struct{}, gatherAtOnce)
	for region, n := range need {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
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
		ref := found[r][next[r]]
		jobs[i].slot, jobs[i].start, jobs[i].end = ref.id, ref.start, ref.end
		next[r]++
	}
	return nil
}

// gatherAtOnce bounds the regions searched at once before a run: all 85
// at once kept a 2-core broker so busy that searches ran past the
// breaker's search timeout and the run could not start.
const gatherAtOnce = 8

// citizenID names the pool's n-th citizen of a run.
func citizenID(run string, n int) string { return fmt.Sprintf("loadgen-%s-%d", run, n) }

// fetchTokens asks the development issuer at url for one token per
// citizen from..n-1.
func fetchTokens(ctx context.Context, c *http.Client, url, run string, from, n, workers int) ([]string, error) {
	return fetchNamedTokens(ctx, c, url, func(i int) string { return citizenID(run, i) }, from, n, workers)
}

// fetchNamedTokens asks the issuer at url for the tokens of the citizens
// name(from) .. name(n-1).
func fetchNamedTokens(ctx context.Context, c *http.Client, url string, name func(int) string, from, n, workers int) ([]string, error) {
	tokens := make([]string, n-from)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(tokens) && errs[w] == nil; i += workers {
				var out struct{ Token string }
				body := fmt.Appendf(nil, `{"citizen_id":%q}`, name(from+i))
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
