package conformance

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv1"
)

var searchRequirements = []requirement{
	{"search returns free slots with practitioner and location included", searchIncludes},
	{"search results are sorted by start and carry the region's offset", searchSorted},
	{"search honours _count", searchCount},
	{"search by service-type returns only that specialty", searchBySpecialty},
	{"search by practitioner returns only that practitioner's slots", searchByPractitioner},
	{"search by location returns only that facility's slots", searchByLocation},
	{"search by date range returns only slots on those local dates", searchByDate},
	{"slot can be read by id", slotRead},
}

func searchIncludes(t *testing.T, c *client) {
	res := c.search(t, "status=free&_count=20")
	if len(res.slots) == 0 {
		t.Fatal("search for free slots returned none")
	}
	for _, s := range res.slots {
		if s.Status != "free" {
			t.Errorf("slot %s has status %q in a search for free slots", s.ID, s.Status)
		}
		if m := res.modes["Slot/"+s.ID]; m != "match" {
			t.Errorf("slot %s has search.mode %q, want match", s.ID, m)
		}
		sch := res.schedule(t, s)
		for _, typ := range []string{"PractitionerRole", "Location"} {
			ref := actor(sch, typ)
			if ref == "" {
				t.Errorf("schedule %s has no %s actor", sch.ID, typ)
			} else if res.modes[ref] != "include" {
				t.Errorf("%s (actor of %s) is not included with search.mode include", ref, sch.ID)
			}
		}
	}
}

func searchSorted(t *testing.T, c *client) {
	res := c.search(t, "status=free&_count=50")
	var prev time.Time
	for _, s := range res.slots {
		start, err1 := time.Parse(time.RFC3339, s.Start)
		end, err2 := time.Parse(time.RFC3339, s.End)
		if err1 != nil || err2 != nil {
			t.Fatalf("slot %s: start %q / end %q are not RFC 3339 instants with an offset", s.ID, s.Start, s.End)
		}
		if strings.HasSuffix(s.Start, "Z") && !strings.HasSuffix(s.Start, "+00:00") {
			t.Logf("slot %s is given in UTC; regions should use their own offset", s.ID)
		}
		if !end.After(start) {
			t.Errorf("slot %s ends (%s) before it starts (%s)", s.ID, s.End, s.Start)
		}
		if start.Before(prev) {
			t.Errorf("slot %s starts %s, before the previous slot (%s)", s.ID, s.Start, prev.Format(time.RFC3339))
		}
		prev = start
	}
}

func searchCount(t *testing.T, c *client) {
	res := c.search(t, "status=free&_count=3")
	if len(res.slots) == 0 || len(res.slots) > 3 {
		t.Fatalf("_count=3 returned %d slots, want 1 to 3", len(res.slots))
	}
	if res.bundle.Total < len(res.slots) {
		t.Errorf("Bundle.total %d is below the %d slots returned", res.bundle.Total, len(res.slots))
	}
}

func searchBySpecialty(t *testing.T, c *client) {
	s := c.freeSlot(t)
	if len(s.ServiceType) == 0 || len(s.ServiceType[0].Coding) == 0 {
		t.Fatalf("slot %s has no serviceType coding", s.ID)
	}
	code := s.ServiceType[0].Coding[0].Code
	res := c.search(t, "status=free&_count=50&service-type="+url.QueryEscape(code))
	if len(res.slots) == 0 {
		t.Fatalf("service-type=%s returned no slots, though slot %s has it", code, s.ID)
	}
	for _, got := range res.slots {
		if !hasCode(got, code) {
			t.Errorf("slot %s does not have service type %s", got.ID, code)
		}
	}
}

func hasCode(s misv1.Slot, code string) bool {
	for _, cc := range s.ServiceType {
		for _, c := range cc.Coding {
			if c.Code == code {
				return true
			}
		}
	}
	return false
}

func searchByPractitioner(t *testing.T, c *client) {
	searchByActor(t, c, "PractitionerRole", "practitioner")
}

func searchByLocation(t *testing.T, c *client) {
	searchByActor(t, c, "Location", "location")
}

// searchByActor searches by the id of one of a slot's schedule actors and
// checks that every slot found belongs to a schedule with that actor.
func searchByActor(t *testing.T, c *client, typ, param string) {
	res := c.search(t, "status=free&_count=1")
	if len(res.slots) == 0 {
		t.Fatal("no free slot found")
	}
	ref := actor(res.schedule(t, res.slots[0]), typ)
	id := strings.TrimPrefix(ref, typ+"/")
	got := c.search(t, "status=free&_count=50&"+param+"="+url.QueryEscape(id))
	if len(got.slots) == 0 {
		t.Fatalf("%s=%s returned no slots, though slot %s belongs to it", param, id, res.slots[0].ID)
	}
	for _, s := range got.slots {
		if a := actor(got.schedule(t, s), typ); a != ref {
			t.Errorf("slot %s belongs to %s, not %s", s.ID, a, ref)
		}
	}
}

func searchByDate(t *testing.T, c *client) {
	s := c.freeSlot(t)
	start, err := time.Parse(time.RFC3339, s.Start)
	if err != nil {
		t.Fatalf("slot %s: start %q: %v", s.ID, s.Start, err)
	}
	day := start.Format(time.DateOnly) // the slot's local date: its own offset is the region's
	res := c.search(t, "status=free&_count=1000&start=ge"+day+"&start=le"+day)
	found := false
	for _, got := range res.slots {
		found = found || got.ID == s.ID
		if !strings.HasPrefix(got.Start, day) {
			t.Errorf("slot %s starts %s, outside %s", got.ID, got.Start, day)
		}
	}
	if !found && len(res.slots) < 1000 {
		t.Errorf("slot %s (on %s) is missing from start=ge%s&start=le%s", s.ID, day, day, day)
	}
}

func slotRead(t *testing.T, c *client) {
	s := c.freeSlot(t)
	got := c.slotByID(t, s.ID)
	if got.Start != s.Start || got.Schedule != s.Schedule {
		t.Errorf("GET /Slot?_id=%s gave %+v, search gave %+v", s.ID, got, s)
	}
}
