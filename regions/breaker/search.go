package breaker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/fedhealth/federation/contracts"
)

// ErrSearchBusy is the error of a slot search the decorator did not let
// finish: every search place of the region was taken (the search was not
// sent), or the search ran past SearchTimeout. It is of KindUnavailable and
// comes wrapped together with contracts.ErrRegionUnavailable, in an error
// whose RetryAfter method says when to try again. Either way the region's
// breaker learns nothing from it: the budget and the timeout are ours.
var ErrSearchBusy = contracts.NewError(contracts.KindUnavailable, "the region's slot searches are busy")

// searchRetryAfter is when a refused search may try again: a search place
// frees up as soon as any search ends, at the latest after SearchTimeout.
const searchRetryAfter = time.Second

// errSearchTimeout is the cause of a search's context running out of
// SearchTimeout, which tells our deadline from the caller's.
var errSearchTimeout = errors.New("slot search ran past search_timeout")

// SearchSlots passes the search through the breaker within the search
// budget: at most SearchMaxConcurrent searches in flight, none waiting for
// a place, each bounded by SearchTimeout. A search that finds the MIS down
// or failing counts against the region like any call.
func (m *MIS) SearchSlots(ctx context.Context, q contracts.SlotQuery) ([]contracts.Slot, error) {
	const op = "search_slots"
	if m.cb.State() == gobreaker.StateOpen {
		return nil, m.rejected(ctx, op, gobreaker.ErrOpenState)
	}
	select {
	case m.searches <- struct{}{}:
	default:
		m.tel.shed(ctx, "busy")
		m.observe(op, 0, OutcomeShed)
		return nil, m.searchBusy(fmt.Sprintf("all %d search places taken", m.cfg.SearchMaxConcurrent), nil)
	}
	defer func() { <-m.searches }()
	done, err := m.cb.Allow()
	if err != nil {
		return nil, m.rejected(ctx, op, err)
	}
	// Timed from before the deadline is set, so a search cut short is
	// observed as lasting at least SearchTimeout.
	start := time.Now()
	sctx, cancel := context.WithTimeoutCause(ctx, m.cfg.SearchTimeout, errSearchTimeout)
	defer cancel()
	slots, err := finish(sctx, done, func(ctx context.Context) ([]contracts.Slot, error) { return m.next.SearchSlots(ctx, q) })
	m.observe(op, time.Since(start), outcomeOf(sctx, err))
	if err != nil && searchTimedOut(sctx) {
		m.tel.shed(ctx, "timeout")
		return nil, m.searchBusy(fmt.Sprintf("no answer within %s", m.cfg.SearchTimeout), err)
	}
	return slots, err
}

// searchTimedOut reports that ctx ended by our search timeout, not by the
// caller's cancellation or deadline.
func searchTimedOut(ctx context.Context) bool {
	return ctx.Err() != nil && errors.Is(context.Cause(ctx), errSearchTimeout)
}

// searchBusy is the error of a search the budget refused or cut short;
// cause (which may be nil) is kept for the log.
func (m *MIS) searchBusy(why string, cause error) error {
	err := fmt.Errorf("search_slots in region %s: %s: %w: %w", m.cfg.Region, why, ErrSearchBusy, contracts.ErrRegionUnavailable)
	if cause != nil {
		err = fmt.Errorf("%w (%w)", err, cause)
	}
	return retryAfterError{err, searchRetryAfter}
}

// retryAfterError tells the caller when to try again. The API finds it by
// its RetryAfter method (errors.As to an interface, as broker never imports
// regions) and answers Retry-After with it.
type retryAfterError struct {
	error
	after time.Duration
}

func (e retryAfterError) Unwrap() error { return e.error }

// RetryAfter is how long the caller should wait before trying again.
func (e retryAfterError) RetryAfter() time.Duration { return e.after }
