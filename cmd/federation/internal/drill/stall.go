package drill

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/regions/missim"
)

// The stall drill's world: every MIS answers after a second, bookings have
// 15 s to finish, and citizens keep asking at a steady 30 bookings a second
// (6 per region) whatever happens to the broker.
const (
	stallLatency  = time.Second
	stallDeadline = 15 * time.Second
	stallRate     = 6.0 // per region, over the five simulated regions
	// stallPlaces is each region's budget of MIS calls in flight: a
	// booking takes two one-second calls, so the steady load uses 12 of
	// the 16, three quarters of what the region's MIS is sized for.
	stallPlaces = 16
	stallWindow = 5 * time.Second
	// stallRecovery: after the resume, the failure rate must be back at
	// the baseline within this long, and stay there while the load goes on.
	stallRecovery = 30 * time.Second
	// stallSlack: a window is "at the baseline" when its failure rate is at
	// most the baseline's plus this many percentage points, as a few
	// bookings in any window can fail for reasons of their own.
	stallSlack = 0.05
)

// stallDrill freezes the broker (SIGSTOP) under steady load, resumes it
// (SIGCONT) and watches whether it recovers by itself: the failure rate of
// the bookings asked for in each 5 s window after the resume must return to
// the no-stall baseline within 30 s while the load continues. A broker that
// spends its time on doomed work (holds for bookings that cannot finish
// before their deadline, then their compensations) never does.
func stallDrill(ctx context.Context, e *env, r *Result) error {
	for _, code := range e.codes {
		e.fault(code, missim.Faults{LatencyMS: int(stallLatency / time.Millisecond)})
	}
	e.load.openLoop = true
	t := e.t.stall
	// The consumers join their groups in the first seconds (each join a
	// rebalance); bookings asked for meanwhile wait for that, not for the
	// load, and are not counted.
	e.load.phase(ctx, "warm-up", e.codes, stallRate, t.warmUp)
	e.load.phase(ctx, "baseline", e.codes, stallRate, t.baseline)
	loadCtx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		e.load.phase(loadCtx, "after", e.codes, stallRate, time.Hour)
	}()
	frozen := time.Now()
	if err := e.broker.freeze(); err != nil {
		stopLoad()
		<-loadDone
		return err
	}
	sleep(ctx, t.stall)
	resumed := time.Now()
	if err := e.broker.thaw(); err != nil {
		stopLoad()
		<-loadDone
		return err
	}
	sleep(ctx, t.after)
	stopLoad()
	<-loadDone
	e.load.wait(stallDeadline + 30*time.Second)
	for _, code := range e.codes {
		e.fault(code, missim.Faults{})
	}
	r.stall(e.load.allOffers(), frozen, resumed)
	return nil
}

// stallTiming is how long the stall drill's phases last.
type stallTiming struct{ warmUp, baseline, stall, after time.Duration }

// allOffers returns every offer that has ended so far.
func (l *load) allOffers() []offer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]offer(nil), l.offers...)
}

// stall reports the failure rate per window and fails the drill when the
// broker did not recover in time.
func (r *Result) stall(offers []offer, frozen, resumed time.Time) {
	var base, caught window
	windows := map[int]*window{}
	last := 0
	for _, o := range offers {
		switch {
		case o.Phase == "warm-up":
			continue
		case o.At.Before(frozen) && o.Ended.After(frozen):
			// In flight when the broker froze: the stall's own victims,
			// neither the baseline nor the recovery.
			caught.add(o)
			continue
		case o.Phase == "baseline":
			base.add(o)
			continue
		}
		// Offers made while the broker was frozen wait with it; they are
		// counted from the resume, in the first window.
		i := max(0, int(o.At.Sub(resumed)/stallWindow))
		if windows[i] == nil {
			windows[i] = &window{}
		}
		windows[i].add(o)
		last = max(last, i)
	}
	r.extra("stall", resumed.Sub(frozen).Round(time.Second))
	r.extra("baseline_failed", base.String())
	r.extra("in_flight_at_freeze_failed", caught.String())
	var parts []string
	recoveredAt := -1
	for i := 0; i <= last; i++ {
		w := windows[i]
		if w == nil {
			w = &window{}
		}
		parts = append(parts, fmt.Sprintf("+%ds:%s", i*int(stallWindow/time.Second), w))
		if w.n > 0 && w.n < stallJudgedWindow {
			// A window of a few bookings (the last, cut short by the end
			// of the load) says nothing of a rate: one failure of four is
			// 25% beside a 2% baseline. It neither ends a recovery nor
			// starts one.
			continue
		}
		if w.rate() <= base.rate()+stallSlack {
			if recoveredAt < 0 {
				recoveredAt = i
			}
		} else {
			recoveredAt = -1
		}
	}
	r.extra("failed_per_5s_after_resume", strings.Join(parts, ","))
	r.extra("failures", failureBreakdown(offers))
	switch recovered := time.Duration(recoveredAt) * stallWindow; {
	case recoveredAt < 0:
		r.extra("recovered_after", "never")
		r.Failures = append(r.Failures, "the failure rate never returned to the baseline after the stall")
	case recovered > stallRecovery:
		r.extra("recovered_after", recovered)
		r.Failures = append(r.Failures, fmt.Sprintf("the failure rate returned to the baseline only %s after the resume (at most %s)", recovered, stallRecovery))
	default:
		r.extra("recovered_after", recovered)
	}
	if base.n == 0 || last < int(stallRecovery/stallWindow)+1 {
		r.Failures = append(r.Failures, "too few windows to judge the recovery")
	}
}

// failureBreakdown counts the failed offers by outcome, most common first.
func failureBreakdown(offers []offer) string {
	counts := map[string]int{}
	for _, o := range offers {
		if !o.Confirmed() {
			counts[o.Phase+"/"+o.Outcome]++
		}
	}
	keys := slices.Collect(maps.Keys(counts))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s:%d", k, counts[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// stallJudgedWindow is the fewest bookings a window after the resume
// needs for its failure rate to be judged against the baseline's.
const stallJudgedWindow = 20

// window counts the offers of one stretch of time and how many failed
// (refused, failed, rejected or never answered: anything but confirmed).
type window struct{ n, failed int }

func (w *window) add(o offer) {
	w.n++
	if !o.Confirmed() {
		w.failed++
	}
}

func (w *window) rate() float64 {
	if w.n == 0 {
		return 0
	}
	return float64(w.failed) / float64(w.n)
}

func (w *window) String() string { return fmt.Sprintf("%.0f%%(%d/%d)", 100*w.rate(), w.failed, w.n) }
