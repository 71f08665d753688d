package bookings

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// SearchEverywhere is a citizen's search across every region, as typed:
// a specialty (required), Limit up to 200 (empty for 50) and the Cursor
// of the previous page (empty for the first).
type SearchEverywhere struct {
	Specialty, Limit, Cursor string
}

// Everywhere is one page of the search across regions: free slots
// earliest first (each in its region's own offset), how current each
// region's part is, and the cursor of the next page ("" on the last).
type Everywhere struct {
	Slots   []Slot
	Regions []RegionFreshness
	Next    string
}

// RegionFreshness says how current a region's part of the answer is:
// Status is "fresh" (refreshed within Config.IndexFresh), "stale" (older,
// or its last refresh failed: its last good data is shown) or
// "unavailable" (nothing to show: the region did not answer in time and
// has no recent data, so its slots are absent, not "none").
type RegionFreshness struct {
	Code   string
	Age    time.Duration
	Status string
}

const (
	defaultEverywhere = 50
	maxEverywhere     = 200
)

// SearchAllRegions answers a search across every region from the slot
// index (slotindex.go). Regions whose entry is not fresh are refreshed at
// once, at most Config.IndexFanOut at a time, and the answer waits for
// them at most Config.IndexWait: a slow or down region is then reported
// stale or unavailable, and its refresh goes on in the background for the
// next search. Only the default window is indexed (today and six days
// on), so the search takes no dates, practitioner or facility.
func (s *Service) SearchAllRegions(ctx context.Context, cmd SearchEverywhere) (Everywhere, error) {
	if cmd.Specialty == "" || !filterPattern.MatchString(cmd.Specialty) {
		return Everywhere{}, Invalid("specialty is required without a region: a code such as 27")
	}
	limit, err := parseEverywhereLimit(cmd.Limit)
	if err != nil {
		return Everywhere{}, err
	}
	after, err := parseCursor(cmd.Cursor)
	if err != nil {
		return Everywhere{}, err
	}
	regs := s.cfg.Regions.Regions()
	s.awaitRefreshes(ctx, regs, cmd.Specialty)
	now := s.cfg.Now()
	runs := make([][]Slot, 0, len(regs))
	fresh := make([]RegionFreshness, len(regs))
	for i, r := range regs {
		v := s.index.view(indexKey{r.Code, cmd.Specialty})
		fresh[i] = RegionFreshness{Code: r.Code, Age: v.age, Status: v.status}
		// Entries are sorted (record): skip what started or was shown.
		first := sort.Search(len(v.slots), func(j int) bool { sl := v.slots[j]; return sl.Start.After(now) && after.before(sl) })
		if rest := v.slots[first:]; len(rest) > 0 {
			runs = append(runs, rest[:min(len(rest), limit+1)])
		}
	}
	all := mergeRuns(runs, limit+1)
	for i := range all {
		loc := s.location(all[i].Region)
		all[i].Start, all[i].End = all[i].Start.In(loc), all[i].End.In(loc)
	}
	page := Everywhere{Regions: fresh, Slots: all[:min(len(all), limit)]}
	if len(all) > limit {
		page.Next = cursorAfter(page.Slots[limit-1])
	}
	return page, nil
}

// slotOrder is the answer's order: by start, then id.
func slotOrder(a, b Slot) int { return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID)) }

// mergeRuns merges sorted runs (one per region) into their first n slots.
// A heap of the runs' heads, rather than sorting everything: 85 regions ×
// 50 slots sorted per search was the search's top cost in the profile.
func mergeRuns(runs [][]Slot, n int) []Slot {
	h := runHeap(runs)
	heap.Init(&h)
	out := make([]Slot, 0, n)
	for len(out) < n && h.Len() > 0 {
		out = append(out, h[0][0])
		if h[0] = h[0][1:]; len(h[0]) == 0 {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	return out
}

// runHeap orders sorted runs by their first slot (container/heap).
type runHeap [][]Slot

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return slotOrder(h[i][0], h[j][0]) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.([]Slot)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// awaitRefreshes starts a refresh of every region whose entry is not
// fresh and waits for them, at most Config.IndexWait or until ctx ends.
func (s *Service) awaitRefreshes(ctx context.Context, regs []contracts.Region, specialty string) {
	var pending []<-chan struct{}
	for _, r := range regs {
		k := indexKey{r.Code, specialty}
		if s.index.needsRefresh(k, true) {
			if done, young := s.index.refresh(k, s.indexSearch(k)); young {
				pending = append(pending, done)
			}
		}
	}
	timer := time.NewTimer(s.index.cfg.Wait)
	defer timer.Stop()
	for _, done := range pending {
		select {
		case <-done:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// position is where a page ended: the last slot's start and id.
type position struct {
	start time.Time
	id    string
}

// before reports whether sl comes after p in the answer's order; the zero
// position comes before everything.
func (p position) before(sl Slot) bool {
	if p.id == "" {
		return true
	}
	if c := sl.Start.Compare(p.start); c != 0 {
		return c > 0
	}
	return sl.ID > p.id
}

// cursorAfter encodes the position after sl. It is opaque to clients.
func cursorAfter(sl Slot) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(sl.Start.UnixNano(), 10) + "|" + sl.ID))
}

func parseCursor(c string) (position, error) {
	if c == "" {
		return position{}, nil
	}
	bad := Invalid("cursor is not one a search across regions gave")
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(raw) > 256 {
		return position{}, bad
	}
	nanos, id, ok := strings.Cut(string(raw), "|")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || id == "" {
		return position{}, bad
	}
	if _, _, err := ParseSlotID(id); err != nil {
		return position{}, bad
	}
	return position{start: time.Unix(0, n), id: id}, nil
}

func parseEverywhereLimit(v string) (int, error) {
	if v == "" {
		return defaultEverywhere, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxEverywhere {
		return 0, Invalid(fmt.Sprintf("limit must be a number from 1 to %d", maxEverywhere))
	}
	return n, nil
}
