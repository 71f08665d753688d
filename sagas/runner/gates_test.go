package runner

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// waitDone runs wait in the background and reports on the channel when it
// returned.
func waitDone(g *RegionGates, region string, pause, longest time.Duration) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		g.wait(context.Background(), region, pause, longest)
		close(done)
	}()
	return done
}

func TestACommandOfAnOpenRegionWaitsForTheBreakersNextState(t *testing.T) {
	g := NewRegionGates(nil)
	g.Changed("16", contracts.RegionUnavailable)
	done := waitDone(g, "16", time.Millisecond, time.Hour)
	select {
	case <-done:
		t.Fatal("a command of an open region went back before the breaker changed state")
	case <-time.After(100 * time.Millisecond):
	}
	g.Changed("16", contracts.RegionDegraded)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the transition did not wake the waiting command")
	}
}

func TestACommandOfAClosedRegionOnlyPauses(t *testing.T) {
	g := NewRegionGates(nil)
	g.Changed("77", contracts.RegionAvailable)
	select {
	case <-waitDone(g, "77", time.Millisecond, time.Hour):
	case <-time.After(5 * time.Second):
		t.Fatal("a command whose call failed in a closed region waited for a transition")
	}
	select { // a region never reported is taken as closed
	case <-waitDone(g, "78", time.Millisecond, time.Hour):
	case <-time.After(5 * time.Second):
		t.Fatal("a command of an unknown region waited for a transition")
	}
}

// gobreaker turns half-open only when asked after its open timeout: the
// waiters ask, once per pause for all of them, and the answer's transition
// wakes them.
func TestWaitersAskTheBreakerSoAnExpiredOpenStateTurnsHalfOpen(t *testing.T) {
	var asked atomic.Int32
	var g *RegionGates
	g = NewRegionGates(func(region string) contracts.RegionStatus {
		if asked.Add(1) == 3 {
			g.Changed(region, contracts.RegionDegraded) // the breaker's hook
			return contracts.RegionDegraded
		}
		return contracts.RegionUnavailable
	})
	g.Changed("16", contracts.RegionUnavailable)
	var waiters []<-chan struct{}
	for range 50 {
		waiters = append(waiters, waitDone(g, "16", 10*time.Millisecond, time.Hour))
	}
	for _, done := range waiters {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("the waiters were not woken by the transition their asking caused")
		}
	}
	if n := asked.Load(); n < 3 || n > 10 {
		t.Errorf("the breaker was asked %d times by 50 waiters over three pauses, want about one per pause", n)
	}
}
