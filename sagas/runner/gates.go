package runner

import (
	"context"
	"sync"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// RegionGates holds back the commands of a region whose breaker is not
// closed until the breaker changes state. Without it every command in
// flight for a dead region would run again after UnavailableBackoff (up to
// the subscriber's MaxInFlight per partition), each time reading its
// booking and asking the breaker, only to be refused: hundreds of wasted
// steps a second, paid for by the healthy regions on the same cores. With
// it they wait, costing nothing, and run again when the breaker turns
// half-open (one of them is then the probe) or closed. It is safe for
// concurrent use; feed it every transition (Changed).
type RegionGates struct {
	// current asks the region's breaker for its status; a breaker (sony/
	// gobreaker) turns half-open only when asked after its open timeout,
	// so the waiters ask, at most once per pause per region.
	current func(region string) contracts.RegionStatus

	mu      sync.Mutex
	status  map[string]contracts.RegionStatus
	changed map[string]chan struct{}
	asked   map[string]time.Time
}

// NewRegionGates returns gates that know no region yet (all available);
// current reads a region's breaker status (it may report a transition
// through Changed).
func NewRegionGates(current func(region string) contracts.RegionStatus) *RegionGates {
	return &RegionGates{current: current, status: map[string]contracts.RegionStatus{},
		changed: map[string]chan struct{}{}, asked: map[string]time.Time{}}
}

// Changed records the region's new breaker status and wakes its waiting
// commands.
func (g *RegionGates) Changed(region string, to contracts.RegionStatus) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.status[region] = to
	if ch, ok := g.changed[region]; ok {
		close(ch)
		delete(g.changed, region)
	}
}

// wait holds a command of region refused as unavailable: while the
// region's breaker is open or half-open, until it changes state (or
// longest passes: a transition this instance missed must not strand a
// command); while it is closed (the call itself failed), for pause.
func (g *RegionGates) wait(ctx context.Context, region string, pause, longest time.Duration) {
	g.mu.Lock()
	var ch chan struct{}
	if st, ok := g.status[region]; ok && st != contracts.RegionAvailable {
		if ch = g.changed[region]; ch == nil {
			ch = make(chan struct{})
			g.changed[region] = ch
		}
	}
	g.mu.Unlock()
	if ch == nil {
		sleep(ctx, pause)
		return
	}
	deadline := time.NewTimer(longest)
	defer deadline.Stop()
	tick := time.NewTicker(pause)
	defer tick.Stop()
	for {
		select {
		case <-ch:
			return
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		case now := <-tick.C:
			g.ask(region, now, pause)
		}
	}
}

// ask reads the region's breaker status, at most once per pause whatever
// the number of waiters, so that an open breaker whose timeout passed
// turns half-open (and Changed wakes the waiters).
func (g *RegionGates) ask(region string, now time.Time, pause time.Duration) {
	g.mu.Lock()
	if now.Sub(g.asked[region]) < pause {
		g.mu.Unlock()
		return
	}
	g.asked[region] = now
	g.mu.Unlock()
	if g.current != nil {
		g.current(region)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
