package breaker_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
)

// calls is what an OnCall observer saw.
type calls struct {
	mu  sync.Mutex
	got []observed
}

type observed struct {
	op      string
	d       time.Duration
	outcome breaker.Outcome
}

func (c *calls) observe(op string, d time.Duration, o breaker.Outcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, observed{op, d, o})
}

func (c *calls) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.got)
}

func (c *calls) last() observed {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.got) == 0 {
		return observed{}
	}
	return c.got[len(c.got)-1]
}

func TestTheCallObserverLearnsEachCallInTheBreakersTerms(t *testing.T) {
	seen := &calls{}
	mis := &fakeMIS{pause: 5 * time.Millisecond}
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 2, OpenTimeout: time.Hour, OnCall: seen.observe}, mis)
	ctx := context.Background()
	for _, c := range []struct {
		name    string
		answer  error
		call    func() error
		op      string
		outcome breaker.Outcome
	}{
		{"an answered hold is ok", nil, func() error { return hold(m) }, "hold", breaker.OutcomeOK},
		{"a slot taken is the MIS refusing, not failing", fmt.Errorf("book: %w", contracts.ErrSlotTaken),
			func() error { _, err := m.Book(ctx, contracts.BookRequest{}); return err }, "book", breaker.OutcomeRefused},
		{"an unavailable MIS fails the call", fmt.Errorf("cancel: %w", contracts.ErrRegionUnavailable),
			func() error { _, err := m.Cancel(ctx, "a1", "k"); return err }, "cancel", breaker.OutcomeFailed},
		{"a search that fails counts the same way", fmt.Errorf("search: %w", contracts.ErrRegionUnavailable),
			func() error { _, err := m.SearchSlots(ctx, contracts.SlotQuery{}); return err }, "search_slots", breaker.OutcomeFailed},
		{"the open breaker refuses without a call", nil, func() error { return hold(m) }, "hold", breaker.OutcomeOpen},
	} {
		mis.answerWith(c.answer)
		_ = c.call()
		got := seen.last()
		if got.op != c.op || got.outcome != c.outcome {
			t.Errorf("%s: observed %s %s, want %s %s", c.name, got.op, got.outcome, c.op, c.outcome)
		}
		if c.outcome.Made() && got.d < 5*time.Millisecond {
			t.Errorf("%s: observed %s, want at least the MIS's 5ms", c.name, got.d)
		}
		if !c.outcome.Made() && got.d != 0 {
			t.Errorf("%s: observed %s for a call never made, want 0", c.name, got.d)
		}
	}
	if n := seen.n(); n != 5 {
		t.Errorf("observed %d calls, want one per call, 5", n)
	}
}

func TestASearchCutShortOrShedIsObservedButNotAFailure(t *testing.T) {
	seen := &calls{}
	mis := &fakeMIS{searchPause: time.Second}
	m := newBreaker(t, breaker.Config{SearchTimeout: 20 * time.Millisecond, SearchMaxConcurrent: 1, OnCall: seen.observe}, mis)
	ctx := context.Background()
	started := make(chan struct{})
	go func() {
		close(started)
		_, _ = m.SearchSlots(ctx, contracts.SlotQuery{})
	}()
	<-started
	eventually(t, "the first search is in flight", func() bool { return mis.inFlight.Load() == 1 })
	if _, err := m.SearchSlots(ctx, contracts.SlotQuery{}); err == nil {
		t.Fatal("a second search with the only place taken was let through")
	}
	if got := seen.last(); got.outcome != breaker.OutcomeShed || got.d != 0 {
		t.Errorf("the search refused for want of a place: observed %s after %s, want shed after 0", got.outcome, got.d)
	}
	eventually(t, "the first search is cut short", func() bool { return seen.n() == 2 })
	if got := seen.last(); got.outcome != breaker.OutcomeCutShort || got.d < 20*time.Millisecond {
		t.Errorf("the search past search_timeout: observed %s after %s, want cut_short after at least 20ms", got.outcome, got.d)
	}
}
