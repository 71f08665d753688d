package loadgen

import (
	"context"
	"fmt"
	"time"
)

// Paging bounds of slot searches: the API accepts windows of at most 14
// days and at most 1000 results; the MIS contract the same count.
const (
	pageLimit   = 1000
	windowDays  = 14
	horizonDays = 366
)

// slotRef is one free slot found by a search.
type slotRef struct {
	id         string // what the booking names: "77:S-1" (API) or "S-1" (MIS)
	start, end time.Time
}

// fetchFunc returns the free slots starting within the local dates from..to.
type fetchFunc func(ctx context.Context, from, to time.Time) ([]slotRef, error)

// gather collects need distinct free slots, paging through date windows:
// a full page continues from the date of its last slot, a short one from
// the day after its window. Slots starting within a minute are skipped:
// the MIS refuses a slot that has begun.
func gather(ctx context.Context, need int, fetch fetchFunc) ([]slotRef, error) {
	seen := map[string]bool{}
	var out []slotRef
	now := time.Now()
	soonest := now.Add(time.Minute)
	from := dateOf(now.UTC()).AddDate(0, 0, -1) // covers regions east of UTC
	for len(out) < need && from.Sub(now) < horizonDays*24*time.Hour {
		to := from.AddDate(0, 0, windowDays-1)
		page, err := fetch(ctx, from, to)
		if err != nil {
			return out, err
		}
		added := 0
		for _, s := range page {
			if !seen[s.id] && s.start.After(soonest) && len(out) < need {
				seen[s.id] = true
				out = append(out, s)
				added++
			}
		}
		from = nextWindow(page, added, from, to)
	}
	if len(out) < need {
		return out, fmt.Errorf("found %d free slots, need %d", len(out), need)
	}
	return out, nil
}

// nextWindow is where the search goes on: past the window after a short
// page; from the last slot's local date after a full page that brought
// something new; at least one day on after a full page that did not.
func nextWindow(page []slotRef, added int, from, to time.Time) time.Time {
	if len(page) < pageLimit {
		return to.AddDate(0, 0, 1)
	}
	last := dateOf(page[len(page)-1].start)
	if added == 0 && !last.After(from) {
		return from.AddDate(0, 0, 1)
	}
	return last
}

// dateOf is the calendar date of t in t's own zone, as a UTC midnight
// (dates are sent as YYYY-MM-DD and read in the region's zone).
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func ymd(t time.Time) string { return t.Format(time.DateOnly) }
