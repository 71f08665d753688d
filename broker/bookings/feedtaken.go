package bookings

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/fedhealth/federation/sagas"
	"golang.org/x/sync/singleflight"
)

// takenRefresh is how long one reading of a feed region's booked slots
// serves this instance's searches: the store is the truth every instance
// shares (a slot booked through another instance disappears from this
// one's searches within it), and one indexed query a second per region
// costs nothing at thousands of searches a second.
const takenRefresh = time.Second

// takenQueryTimeout bounds one reading of a region's booked slots.
const takenQueryTimeout = 5 * time.Second

// takenSlots knows which slots of each feed region are held by its live
// bookings (pending, confirmed, or cancelling), as the store says. A feed
// region's search subtracts them and a booking request refuses them: the
// feed itself learns of bookings only through the operators, if ever.
// Concurrent readers of one region share one query (singleflight).
type takenSlots struct {
	queue sagas.OperatorQueue
	now   func() time.Time
	group singleflight.Group

	mu       sync.Mutex
	byRegion map[string]takenReading
	// gen counts each region's forgets: a query begun before one must
	// neither be stored nor be shared with a reader after it.
	gen map[string]uint64
}

// takenReading is one reading of a region's booked slots.
type takenReading struct {
	slots map[string]bool
	read  time.Time
}

func newTakenSlots(q sagas.OperatorQueue, now func() time.Time) *takenSlots {
	return &takenSlots{queue: q, now: now, byRegion: map[string]takenReading{}, gen: map[string]uint64{}}
}

// of returns the set of region's booked MIS slot ids, read at most once
// per takenRefresh. A store that cannot be read is an error: offering a
// slot that may be booked would promise what the broker cannot keep.
func (t *takenSlots) of(ctx context.Context, region string) (map[string]bool, error) {
	now := t.now()
	t.mu.Lock()
	r, ok := t.byRegion[region]
	gen := t.gen[region]
	t.mu.Unlock()
	if ok && now.Sub(r.read) < takenRefresh {
		return r.slots, nil
	}
	v, err, _ := t.group.Do(region+"\x00"+strconv.FormatUint(gen, 10), func() (any, error) {
		// Shared by every reader waiting on it, so no one reader's cancel
		// may end it; bounded, so a store that hangs fails the searches
		// with an error instead of holding them all.
		qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), takenQueryTimeout)
		defer cancel()
		ids, err := t.queue.LiveOperatorSlots(qctx, region, now)
		if err != nil {
			return nil, err
		}
		set := make(map[string]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		t.mu.Lock()
		if t.gen[region] == gen {
			t.byRegion[region] = takenReading{slots: set, read: now}
		}
		t.mu.Unlock()
		return set, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string]bool), nil
}

// forget drops region's reading, so this instance's next search reads the
// store again (after a booking it made itself).
func (t *takenSlots) forget(region string) {
	t.mu.Lock()
	delete(t.byRegion, region)
	t.gen[region]++
	t.mu.Unlock()
}
