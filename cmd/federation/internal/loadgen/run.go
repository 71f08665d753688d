package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// job is one booking to make: which slot, in which region, as whom.
type job struct {
	index      int
	region     string
	slot       string
	start, end time.Time // the slot's
	citizen    int
}

// bookFunc makes one booking and returns its final status, or the last
// status seen and why it stopped there.
type bookFunc func(ctx context.Context, j job) (string, error)

var (
	errBookingTimeout = errors.New("not final within --timeout")
	errRunOver        = errors.New("run ended by --max-duration")
)

// plan spreads n bookings over regions round robin; it returns the jobs
// (slots and citizens still empty) and how many each region needs.
func plan(n int, regions []string) ([]job, map[string]int) {
	jobs := make([]job, n)
	need := map[string]int{}
	for i := range jobs {
		r := regions[i%len(regions)]
		jobs[i] = job{index: i, region: r}
		need[r]++
	}
	return jobs, need
}

// attempt runs one booking under its own deadline and records what it
// came to. start is when it began, or was due to begin in open loop, so
// that time spent waiting for a free worker counts against the system.
func attempt(ctx context.Context, timeout time.Duration, j job, start time.Time, book bookFunc) result {
	ctx, cancel := context.WithDeadlineCause(ctx, start.Add(timeout), errBookingTimeout)
	defer cancel()
	status, err := book(ctx, j)
	res := result{region: j.region, outcome: status, latency: time.Since(start)}
	switch {
	case err == nil && final(status):
	case ctx.Err() != nil:
		res.outcome, res.kind = OutcomeTimeout, fmt.Sprintf("timeout: %v", context.Cause(ctx))
		if status != "" {
			res.kind += " (still " + status + ")"
		}
	case err == nil:
		res.outcome, res.kind = OutcomeError, "unexpected status "+status
	default:
		res.outcome, res.kind = OutcomeError, kindOf(err)
	}
	return res
}

// closedLoop runs the jobs on a fixed number of workers: each starts its
// next booking when the last one is final.
func closedLoop(ctx context.Context, cfg Config, jobs []job, book bookFunc, rec *recorder) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range cfg.Concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) || ctx.Err() != nil {
					return
				}
				rec.add(attempt(ctx, cfg.Timeout, jobs[i], time.Now(), book))
			}
		})
	}
	wg.Wait()
}

// openLoop starts the jobs at a fixed rate whatever the answers, at most
// cfg.Concurrency in flight; a start delayed by that cap still counts
// from when it was due.
func openLoop(ctx context.Context, cfg Config, jobs []job, book bookFunc, rec *recorder) {
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	inFlight := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	t0 := time.Now()
	for i, j := range jobs {
		due := t0.Add(time.Duration(i) * interval)
		if !sleepUntil(ctx, due) {
			return
		}
		select {
		case inFlight <- struct{}{}:
		case <-ctx.Done():
			return
		}
		wg.Go(func() {
			defer func() { <-inFlight }()
			rec.add(attempt(ctx, cfg.Timeout, j, due, book))
		})
	}
}

func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
