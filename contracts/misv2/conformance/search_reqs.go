package conformance

import (
	"net/url"
	"strings"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

var searchRequirements = []requirement{
	{id: "FHIR-SEARCH-01", title: "Search returns free slots with practitioner and location included", readOnly: true, run: searchIncludes},
	{id: "FHIR-SEARCH-02", title: "Search results are sorted by start, with RFC 3339 start and end", readOnly: true, run: searchSorted},
	{id: "FHIR-SEARCH-03", title: "Search honours _count", readOnly: true, run: searchCount},
	{id: "FHIR-SEARCH-04", title: "Search by specialty returns only that specialty", readOnly: true, run: searchBySpecialty},
	{id: "FHIR-SEARCH-05", title: "Search by practitioner returns only that practitioner's slots", readOnly: true, run: searchByPractitioner},
	{id: "FHIR-SEARCH-06", title: "Search by location returns only that facility's slots", readOnly: true, run: searchByLocation},
	{id: "FHIR-SEARCH-07", title: "Search by date range returns only slots on those local dates", readOnly: true, run: searchByDate},
	{id: "FHIR-SEARCH-08", title: "Slot can be read by id", readOnly: true, run: slotRead},
}

func searchIncludes(t kit.T, c *client) {
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

func searchSorted(t kit.T, c *client) {
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

func searchCount(t kit.T, c *client) {
	res := c.search(t, "status=free&_count=3")
	if len(res.slots) == 0 || len(res.slots) > 3 {
		t.Fatalf("_count=3 returned %d slots, want 1 to 3", len(res.slots))
	}
	if res.bundle.Total < len(res.slots) {
		t.Errorf("Bundle.total %d is below the %d slots returned", res.bundle.Total, len(res.slots))
	}
}

func searchBySpecialty(t kit.T, c *client) {
	s := c.freeSlot(t)
	if len(s.Specialty) == 0 || len(s.Specialty[0].Coding) == 0 {
		t.Fatalf("slot %s has no specialty coding", s.ID)
	}
	code := s.Specialty[0].Coding[0].Code
	res := c.search(t, "status=free&_count=50&specialty="+url.QueryEscape(code))
	if len(res.slots) == 0 {
		t.Fatalf("specialty=%s returned no slots, though slot %s has it", code, s.ID)
	}
	for _, got := range res.slots {
		if !hasCode(got, code) {
			t.Errorf("slot %s does not have specialty %s", got.ID, code)
		}
	}
}

func hasCode(s misv2.Slot, code string) bool {
	for _, cc := range s.Specialty {
		for _, c := range cc.Coding {
			if c.Code == code {
				return true
			}
		}
	}
	return false
}

func searchByPractitioner(t kit.T, c *client) {
	searchByActor(t, c, "PractitionerRole", "practitioner")
}

func searchByLocation(t kit.T, c *client) {
	searchByActor(t, c, "Location", "location")
}

// searchByActor searches by the id of one of a slot's schedule actors and
// checks that every slot found belongs to a schedule with that actor.
func searchByActor(t kit.T, c *client, typ, param string) {
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

func searchByDate(t kit.T, c *client) {
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

func slotRead(t kit.T, c *client) {
	s := c.freeSlot(t)
	got := c.slotByID(t, s.ID)
	if got.Start != s.Start || got.Schedule != s.Schedule {
		t.Errorf("GET /Slot?_id=%s gave %+v, search gave %+v", s.ID, got, s)
	}
}
