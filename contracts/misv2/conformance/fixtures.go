package conformance

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

// searchResult is a decoded slot searchset.
type searchResult struct {
	bundle   misv2.Bundle
	slots    []misv2.Slot
	included map[string]json.RawMessage // by "Type/id"
	modes    map[string]string          // search.mode by "Type/id"
}

// search runs GET /Slot?query, narrowed by Target.SlotQuery.
func (c *client) search(t kit.T, query string) searchResult {
	t.Helper()
	if c.slotQuery != "" {
		query = c.slotQuery + "&" + query
	}
	b := decode[misv2.Bundle](t, c.get(t, "/Slot?"+query), http.StatusOK, "slot search")
	if b.ResourceType != "Bundle" || b.Type != "searchset" {
		t.Fatalf("slot search: got %s of type %q, want a searchset Bundle", b.ResourceType, b.Type)
	}
	res := searchResult{bundle: b, included: map[string]json.RawMessage{}, modes: map[string]string{}}
	for _, e := range b.Entry {
		res.add(t, e)
	}
	return res
}

func (res *searchResult) add(t kit.T, e misv2.BundleEntry) {
	t.Helper()
	var head struct{ ResourceType, ID string }
	if err := json.Unmarshal(e.Resource, &head); err != nil {
		t.Fatalf("slot search: entry is not a resource: %v", err)
	}
	ref := head.ResourceType + "/" + head.ID
	if e.Search != nil {
		res.modes[ref] = e.Search.Mode
	}
	if head.ResourceType != "Slot" {
		res.included[ref] = e.Resource
		return
	}
	var s misv2.Slot
	if err := json.Unmarshal(e.Resource, &s); err != nil {
		t.Fatalf("slot search: bad Slot %s: %v", ref, err)
	}
	res.slots = append(res.slots, s)
}

// schedule returns the included Schedule the slot points to.
func (res searchResult) schedule(t kit.T, s misv2.Slot) misv2.Schedule {
	t.Helper()
	raw, ok := res.included[s.Schedule.Reference]
	if !ok {
		t.Fatalf("slot %s: its schedule %q is not included in the Bundle", s.ID, s.Schedule.Reference)
	}
	var sch misv2.Schedule
	if err := json.Unmarshal(raw, &sch); err != nil {
		t.Fatalf("schedule %s: %v", s.Schedule.Reference, err)
	}
	return sch
}

// actor returns the schedule's actor reference of the given type ("Location").
func actor(sch misv2.Schedule, typ string) string {
	for _, a := range sch.Actor {
		if strings.HasPrefix(a.Reference, typ+"/") {
			return a.Reference
		}
	}
	return ""
}

// freeSlot picks one of the first free slots at random, so that two runs
// against one live system rarely reach for the same slot.
func (c *client) freeSlot(t kit.T) misv2.Slot {
	t.Helper()
	res := c.search(t, "status=free&_count=50")
	if len(res.slots) == 0 {
		t.Fatal("no free slot found: the suite needs free slots to run")
	}
	return res.slots[rand.IntN(len(res.slots))]
}

// held holds a free slot and releases it when the test ends.
func (c *client) held(t kit.T) (misv2.Slot, misv2.Appointment) {
	t.Helper()
	for range 5 {
		s := c.freeSlot(t)
		r := c.hold(t, s.ID, c.key())
		if r.status == http.StatusConflict {
			continue // someone else took it between search and hold
		}
		a := decode[misv2.Appointment](t, r, http.StatusOK, "hold")
		c.releaseLater(t, a.ID)
		return s, a
	}
	t.Fatal("five free slots in a row were taken before they could be held")
	return misv2.Slot{}, misv2.Appointment{}
}

// booked holds and books a free slot, cancelled when the test ends.
func (c *client) booked(t kit.T) (misv2.Slot, misv2.Appointment) {
	t.Helper()
	s, a := c.held(t)
	return s, decode[misv2.Appointment](t, c.book(t, a.ID, c.key()), http.StatusOK, "book")
}

// releaseLater cancels the appointment at the end of the test, so the suite
// leaves no holds or bookings behind on a live system.
func (c *client) releaseLater(t kit.T, id string) {
	t.Cleanup(func() { _, _ = c.send(http.MethodPost, "/Appointment/"+id+"/$cancel", c.key(), nil) })
}

// slotByID reads one slot with GET /Slot?_id=.
func (c *client) slotByID(t kit.T, id string) misv2.Slot {
	t.Helper()
	b := decode[misv2.Bundle](t, c.get(t, "/Slot?_id="+id), http.StatusOK, "slot read")
	res := searchResult{included: map[string]json.RawMessage{}, modes: map[string]string{}}
	for _, e := range b.Entry {
		res.add(t, e)
	}
	if len(res.slots) != 1 || res.slots[0].ID != id {
		t.Fatalf("GET /Slot?_id=%s returned %d slots, want exactly that one", id, len(res.slots))
	}
	return res.slots[0]
}
