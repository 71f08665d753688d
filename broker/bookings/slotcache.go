package bookings

import (
	"container/list"
	"sync"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// slotCache remembers slots citizens were shown, so that a booking made from
// a search result is accepted (and waits durably) even while the region's
// MIS is briefly unreachable. Bounded in size (least recently used goes
// first) and in age: an entry only describes the slot, the MIS still
// decides whether it is free.
type slotCache struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	order *list.List // of *slotEntry, most recent first
	byID  map[string]*list.Element
}

type slotEntry struct {
	id    string
	slot  contracts.Slot
	added time.Time
}

func newSlotCache(max int, ttl time.Duration, now func() time.Time) *slotCache {
	return &slotCache{max: max, ttl: ttl, now: now, order: list.New(), byID: map[string]*list.Element{}}
}

func (c *slotCache) put(region string, sl contracts.Slot) {
	id := GlobalSlotID(region, sl.ID)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byID[id]; ok {
		el.Value = &slotEntry{id: id, slot: sl, added: c.now()}
		c.order.MoveToFront(el)
		return
	}
	c.byID[id] = c.order.PushFront(&slotEntry{id: id, slot: sl, added: c.now()})
	if c.order.Len() > c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byID, oldest.Value.(*slotEntry).id)
	}
}

func (c *slotCache) get(id string) (contracts.Slot, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byID[id]
	if !ok {
		return contracts.Slot{}, false
	}
	e := el.Value.(*slotEntry)
	if c.now().Sub(e.added) > c.ttl {
		c.order.Remove(el)
		delete(c.byID, id)
		return contracts.Slot{}, false
	}
	return e.slot, true
}
