package conformance

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout bounds one requirement when Options.Timeout is zero: a
// requirement makes a handful of calls, each bounded by its client's own
// timeout, so two minutes means the MIS hangs.
const DefaultTimeout = 2 * time.Minute

// abandonGrace is how long the engine waits for a timed-out requirement
// to run its cleanups (releasing what it held) before going on without it.
const abandonGrace = 5 * time.Second

// Options select and frame one run.
type Options struct {
	// Only, when not empty, runs just the requirements with these IDs; an
	// ID no requirement has is an error.
	Only []string
	// ReadOnly runs only the requirements marked ReadOnly.
	ReadOnly bool
	// Timeout bounds each requirement (default DefaultTimeout).
	Timeout time.Duration
	// Recorder is where the requirements' clients recorded the latency of
	// each operation; its figures go into the report. Nil reports none.
	Recorder *Recorder
	// Target describes what was checked, for the report.
	Target Target
}

// Target describes the system under test in a report. Never put a secret
// here: the report is meant to be shared.
type Target struct {
	// Kind is the region kind checked (fhir, soap, jsonrpc, feed).
	Kind string `json:"kind"`
	// URL is the MIS's address as given (never with credentials).
	URL string `json:"url"`
	// Region and TimeZone are the region's code and IANA zone, if known.
	Region   string `json:"region,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	// KitVersion is the version of the kit that ran the checks.
	KitVersion string `json:"kit_version"`
}

// ErrUnknownRequirement is returned by Select and Run for an ID in
// Options.Only that no requirement has.
var ErrUnknownRequirement = errors.New("conformance: unknown requirement ID")

// Select returns the requirements of reqs that only and readOnly keep, in
// their order. An ID in only that reqs lacks is ErrUnknownRequirement.
func Select(reqs []Requirement, only []string, readOnly bool) ([]Requirement, error) {
	var unknown []string
	for _, id := range only {
		if !slices.ContainsFunc(reqs, func(r Requirement) bool { return r.ID == id }) {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrUnknownRequirement, strings.Join(unknown, ", "))
	}
	var out []Requirement
	for _, r := range reqs {
		if (len(only) == 0 || slices.Contains(only, r.ID)) && (!readOnly || r.ReadOnly) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Run runs the requirements that opts select, in order, each in its own
// goroutine with its own timeout, and reports every outcome. A requirement
// that panics fails with the panic's text; one that outlives its timeout
// fails and is abandoned. When ctx ends, the requirements not yet run are
// reported skipped. The error is only ever ErrUnknownRequirement.
func Run(ctx context.Context, reqs []Requirement, opts Options) (Report, error) {
	sel, err := Select(reqs, opts.Only, opts.ReadOnly)
	if err != nil {
		return Report{}, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	rep := Report{Target: opts.Target, Started: time.Now().UTC()}
	for _, r := range sel {
		if ctx.Err() != nil {
			rep.Results = append(rep.Results, resultOf(r, StatusSkip, 0, nil, []string{"the run was cancelled before this requirement"}))
			continue
		}
		rep.Results = append(rep.Results, runOne(ctx, r, timeout))
	}
	rep.Duration = time.Since(rep.Started)
	if opts.Recorder != nil {
		rep.Latency = opts.Recorder.Stats()
	}
	rep.Summary = summarize(rep.Results)
	return rep, nil
}

// runOne runs one requirement in its own goroutine, as testing runs a
// test: Fatal and Skip end that goroutine with runtime.Goexit, and the
// cleanups run after it whatever way it ended.
func runOne(parent context.Context, r Requirement, timeout time.Duration) Result {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	t := &runT{ctx: ctx}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		defer t.runCleanups()
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("panic: %v", p)
			}
		}()
		r.Run(t)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		if parent.Err() != nil {
			t.Errorf("the run was cancelled while this requirement ran (%v)", context.Cause(parent))
		} else {
			t.Errorf("did not finish within %s", timeout)
		}
		select {
		case <-done:
		case <-time.After(abandonGrace):
			t.Logf("abandoned: still running %s after its time was up", abandonGrace)
		}
	}
	return t.result(r, time.Since(start))
}

// runT is the engine's T for one requirement.
type runT struct {
	ctx      context.Context
	mu       sync.Mutex
	failed   bool
	skipped  bool
	evidence []string
	logs     []string
	cleanups []func()
}

var _ T = (*runT)(nil)

func (t *runT) Helper()                  {}
func (t *runT) Context() context.Context { return t.ctx }

func (t *runT) Error(args ...any) { t.fail(fmt.Sprintln(args...)) }
func (t *runT) Errorf(format string, args ...any) {
	t.fail(fmt.Sprintf(format, args...))
}
func (t *runT) Fatal(args ...any) { t.Error(args...); runtime.Goexit() }
func (t *runT) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	runtime.Goexit()
}
func (t *runT) Log(args ...any)                 { t.log(fmt.Sprintln(args...)) }
func (t *runT) Logf(format string, args ...any) { t.log(fmt.Sprintf(format, args...)) }
func (t *runT) Skip(args ...any)                { t.skip(fmt.Sprintln(args...)) }
func (t *runT) Skipf(format string, args ...any) {
	t.skip(fmt.Sprintf(format, args...))
}

func (t *runT) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func (t *runT) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

func (t *runT) fail(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
	t.evidence = append(t.evidence, strings.TrimSpace(msg))
}

func (t *runT) log(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.logs = append(t.logs, strings.TrimSpace(msg))
}

func (t *runT) skip(msg string) {
	t.mu.Lock()
	t.skipped = true
	t.logs = append(t.logs, strings.TrimSpace(msg))
	t.mu.Unlock()
	runtime.Goexit()
}

// runCleanups runs the cleanups last first; a panicking cleanup fails the
// requirement and the others still run.
func (t *runT) runCleanups() {
	for {
		t.mu.Lock()
		n := len(t.cleanups)
		if n == 0 {
			t.mu.Unlock()
			return
		}
		f := t.cleanups[n-1]
		t.cleanups = t.cleanups[:n-1]
		t.mu.Unlock()
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("panic in cleanup: %v", p)
				}
			}()
			f()
		}()
	}
}

func (t *runT) result(r Requirement, d time.Duration) Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	status := StatusPass
	switch {
	case t.failed:
		status = StatusFail
	case t.skipped:
		status = StatusSkip
	}
	return resultOf(r, status, d, slices.Clone(t.evidence), slices.Clone(t.logs))
}
