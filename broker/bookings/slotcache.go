package bookings

import (
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/fedhealth/federation/contracts"
)

// slotCache remembers slots citizens were shown, so that a booking made from
// a search result is accepted (and waits durably) even while the region's
// MIS is briefly unreachable. Bounded in size (least recently used goes
// first) and in age: an entry only describes the slot, the MIS still
// decides whether it is free.
type slotCache struct {
	lru *expirable.LRU[string, contracts.Slot] // by global slot id
}

func newSlotCache(max int, ttl time.Duration) *slotCache {
	return &slotCache{lru: expirable.NewLRU[string, contracts.Slot](max, nil, ttl)}
}

func (c *slotCache) put(region string, sl contracts.Slot) {
	c.lru.Add(GlobalSlotID(region, sl.ID), sl)
}

func (c *slotCache) get(id string) (contracts.Slot, bool) {
	return c.lru.Get(id)
}
