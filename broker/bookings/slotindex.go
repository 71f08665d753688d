package bookings

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/fedhealth/federation/contracts"
)

// slotIndex is this instance's in-memory index of free slots by region and
// specialty, which answers the search across regions: the first IndexDepth
// free slots of the default window (today and six days on, in the
// region's zone) with the time they were fetched. In memory, not a table:
// it is a cache of what the MIS say, rebuilt by searching, and every
// instance can refresh its own copy in well under a second, while a shared
// table would add a write per search and a schema to keep. Bounded by
// IndexEntries (least recently asked goes first) and by age (older than
// IndexMaxAge is not shown).
//
// Fed by every search of one region that covers the default window (the
// searches the broker makes anyway), by refreshes when a citizen asks and
// the entry is not fresh, and by a background refresh of the entries
// citizens asked for lately. A feed region's search reads its last
// synced feed, so its data age is the sync's.
type slotIndex struct {
	lru  *lru.Cache[indexKey, *indexEntry]
	sem  chan struct{} // bounds the refreshes running at once
	cfg  IndexConfig
	now  func() time.Time
	bg   context.Context // refreshes outlive the request that started them
	stop context.CancelFunc
}

type indexKey struct{ region, specialty string }

// indexEntry is one region × specialty. mu guards every field.
type indexEntry struct {
	mu         sync.Mutex
	slots      []Slot        // earliest first
	fetched    time.Time     // when the data was current; zero: never
	failed     bool          // the last refresh failed
	refreshing chan struct{} // closed when the running refresh ends; nil: none
	attempted  time.Time     // when the last refresh started
	asked      time.Time     // last asked for by a citizen's search
}

func newSlotIndex(cfg IndexConfig, now func() time.Time) *slotIndex {
	cache, err := lru.New[indexKey, *indexEntry](cfg.Entries)
	if err != nil {
		panic(err) // entries was checked positive by Config.Validate
	}
	bg, stop := context.WithCancel(context.Background())
	return &slotIndex{lru: cache, sem: make(chan struct{}, cfg.FanOut), cfg: cfg, now: now, bg: bg, stop: stop}
}

func (x *slotIndex) entry(k indexKey) *indexEntry {
	if e, ok := x.lru.Get(k); ok { // Get marks it recently used
		return e
	}
	e := &indexEntry{}
	if prev, ok, _ := x.lru.PeekOrAdd(k, e); ok {
		return prev
	}
	return e
}

// record stores a region's first free slots of the default window for
// specialty, current at fetched.
func (x *slotIndex) record(k indexKey, slots []Slot, fetched time.Time) {
	e := x.entry(k)
	e.mu.Lock()
	defer e.mu.Unlock()
	n := min(len(slots), x.cfg.Depth)
	kept := slices.SortedFunc(slices.Values(slots[:n]), slotOrder) // a copy, in the answer's order
	e.slots, e.fetched, e.failed = kept, fetched, false
}

// refresh starts a refresh of k unless one runs, and returns a channel
// closed when the running refresh ends and whether it is worth waiting
// for: not when the region failed its last refresh (it is retried in the
// background and reported as it is), nor when the refresh started more
// than Wait ago (it already kept a search waiting). search asks the
// region.
func (x *slotIndex) refresh(k indexKey, search func(ctx context.Context) error) (done <-chan struct{}, young bool) {
	e := x.entry(k)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := x.now()
	if e.refreshing != nil {
		return e.refreshing, !e.failed && now.Sub(e.attempted) < x.cfg.Wait
	}
	running := make(chan struct{})
	e.refreshing, e.attempted = running, now
	young = !e.failed
	go func() {
		defer close(running)
		err := x.run(search)
		e.mu.Lock()
		defer e.mu.Unlock()
		e.refreshing = nil
		e.failed = err != nil // a success recorded the data and cleared it already
	}()
	return running, young
}

// run calls search with a bounded fan-out and the refresh timeout.
func (x *slotIndex) run(search func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(x.bg, x.cfg.RefreshTimeout)
	defer cancel()
	select {
	case x.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-x.sem }()
	return search(ctx)
}

// regionView is what the index holds for one region now.
type regionView struct {
	slots  []Slot
	age    time.Duration
	status string // fresh, stale or unavailable
}

const (
	statusFresh       = "fresh"
	statusStale       = "stale"
	statusUnavailable = "unavailable"
)

// view reads k: fresh when the last refresh succeeded within the fresh
// age, stale when older (or the last refresh failed) but within the
// maximum age, unavailable without data worth showing.
func (x *slotIndex) view(k indexKey) regionView {
	e := x.entry(k)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fetched.IsZero() {
		return regionView{status: statusUnavailable}
	}
	age := max(x.now().Sub(e.fetched), 0)
	switch {
	case age > x.cfg.MaxAge:
		return regionView{age: age, status: statusUnavailable}
	case e.failed || age > x.cfg.Fresh:
		return regionView{slots: e.slots, age: age, status: statusStale}
	}
	return regionView{slots: e.slots, age: age, status: statusFresh}
}

// failedRetry is how soon a region whose last refresh failed is asked
// again: a region that is down is not asked by every search.
const failedRetry = 5 * time.Second

// needsRefresh reports whether k is not fresh (and, after a failure, was
// not tried within failedRetry), and marks it asked.
func (x *slotIndex) needsRefresh(k indexKey, asked bool) bool {
	e := x.entry(k)
	e.mu.Lock()
	defer e.mu.Unlock()
	now := x.now()
	if asked {
		e.asked = now
	}
	if e.failed && e.refreshing == nil {
		return now.Sub(e.attempted) >= failedRetry
	}
	return e.fetched.IsZero() || e.failed || now.Sub(e.fetched) > x.cfg.Fresh
}

// askedKeys are the entries a citizen asked for within the maximum age;
// the others are dropped, so the background refresh only keeps what is
// searched for.
func (x *slotIndex) askedKeys() []indexKey {
	var keys []indexKey
	for _, k := range x.lru.Keys() {
		e, ok := x.lru.Peek(k)
		if !ok {
			continue
		}
		e.mu.Lock()
		recent := x.now().Sub(e.asked) <= x.cfg.MaxAge
		e.mu.Unlock()
		if recent {
			keys = append(keys, k)
		} else {
			x.lru.Remove(k)
		}
	}
	return keys
}

// indexSearch is the search that refreshes k: the default window, as many
// slots as the index keeps (SearchSlots records the answer).
func (s *Service) indexSearch(k indexKey) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := s.SearchSlots(ctx, SearchSlots{Region: k.region, Specialty: k.specialty, Limit: strconv.Itoa(s.index.cfg.Depth)})
		return err
	}
}

// indexFound feeds the index from a search of one region when the search
// covers what an entry holds: the default window, no practitioner or
// facility filter, at least as many results asked (limit) as the index
// keeps. found is the search's answer (free slots, earliest first).
func (s *Service) indexFound(cmd SearchSlots, limit int, found []Slot) {
	if cmd.From != "" || cmd.To != "" || cmd.Practitioner != "" || cmd.Facility != "" || limit < s.index.cfg.Depth {
		return
	}
	fetched := s.cfg.Now()
	if s.kinds[cmd.Region] == contracts.RegionFeed && s.cfg.Feeds != nil {
		// A feed region answers from its last sync: that is its age.
		if last, _, ok := s.cfg.Feeds.FeedSync(cmd.Region); ok && !last.IsZero() {
			fetched = last
		}
	}
	s.index.record(indexKey{cmd.Region, cmd.Specialty}, found, fetched)
}

// RunSlotIndex refreshes, every Config.IndexEvery until ctx ends, the
// entries of the slot index that citizens asked for lately and that are
// no longer fresh, so that a search across regions mostly finds fresh
// data without waiting. It returns nil when ctx ends.
func (s *Service) RunSlotIndex(ctx context.Context) error {
	defer s.index.stop()
	t := time.NewTicker(s.index.cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		for _, k := range s.index.askedKeys() {
			if s.index.needsRefresh(k, false) {
				s.index.refresh(k, s.indexSearch(k))
			}
		}
	}
}
