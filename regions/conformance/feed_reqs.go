package conformance

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions/feed/wire"
)

// feedRequirements are what the broker's feed reader relies on
// (SMART Scheduling Links, regions/feed), in the order they run; every
// one only reads. r is nil for Catalog.
func feedRequirements(r *feedRig) []kit.Requirement {
	return []kit.Requirement{
		{ID: "FEED-MANIFEST-01", Title: "$bulk-publish answers a manifest with transactionTime, request and outputs", Required: true, ReadOnly: true, Run: r.manifestFields},
		{ID: "FEED-MANIFEST-02", Title: "The manifest lists Location, Schedule and Slot files, all on the feed's origin", Required: true, ReadOnly: true, Run: r.manifestOutputs},
		{ID: "FEED-NDJSON-01", Title: "Location lines carry id, name, telecom and address", Required: true, ReadOnly: true, Run: r.locations},
		{ID: "FEED-NDJSON-02", Title: "Schedule lines carry id, a Location actor and a serviceType", Required: true, ReadOnly: true, Run: r.schedules},
		{ID: "FEED-NDJSON-03", Title: "Slot lines carry id, schedule, status free or busy, start and end", Required: true, ReadOnly: true, Run: r.slots},
		{ID: "FEED-REF-01", Title: "Slot.schedule and Schedule.actor resolve within the published files", Required: true, ReadOnly: true, Run: r.references},
		{ID: "FEED-TIME-01", Title: "Slot instants carry the region's UTC offset", Required: true, ReadOnly: true, Run: r.offsets},
		{ID: "FEED-PORT-01", Title: "The broker's feed reader syncs the feed and offers its free slots", Required: true, ReadOnly: true, Run: r.reader},
		{ID: "FEED-CACHE-01", Title: "The manifest answers a conditional request (ETag or Last-Modified) with 304", ReadOnly: true, Run: r.conditional},
	}
}

func (r *feedRig) manifestFields(t kit.T) {
	p := r.read(t)
	m := p.manifest
	published, err := time.Parse(time.RFC3339, m.TransactionTime)
	switch {
	case err != nil:
		t.Errorf("transactionTime %q is not an instant; %s", m.TransactionTime, p.manifestEx)
	case published.After(time.Now().Add(5 * time.Minute)):
		t.Errorf("transactionTime %s is in the future", m.TransactionTime)
	}
	if u, err := url.Parse(m.Request); err != nil || !u.IsAbs() || !strings.HasSuffix(u.Path, wire.ManifestPath) {
		t.Errorf("request %q is not the manifest's absolute URL ending in %s", m.Request, wire.ManifestPath)
	}
	if len(m.Output) == 0 {
		t.Errorf("the manifest lists no output; %s", p.manifestEx)
	}
	for _, o := range m.Output {
		if o.Type == "" || o.URL == "" {
			t.Errorf("output %+v lacks its type or url", o)
		}
	}
}

func (r *feedRig) manifestOutputs(t kit.T) {
	p := r.read(t)
	base, _ := url.Parse(r.t.URL) // the adapter's config accepted it
	var types []string
	for _, o := range p.manifest.Output {
		types = append(types, o.Type)
		if u, err := url.Parse(o.URL); err != nil || !sameOrigin(u, base) {
			t.Errorf("output %s is not on the feed's origin %s://%s: the broker refuses such a manifest", o.URL, base.Scheme, base.Host)
		}
	}
	for _, want := range []string{wire.TypeLocation, wire.TypeSchedule, wire.TypeSlot} {
		if !slices.Contains(types, want) {
			t.Errorf("the manifest lists no %s file (it lists %v)", want, types)
		}
	}
}

func (r *feedRig) locations(t kit.T) {
	locs := decodeLines[wire.Location](t, r.read(t), wire.TypeLocation)
	if len(locs) == 0 {
		t.Fatal("the feed publishes no Location")
	}
	for _, l := range locs {
		if l.ResourceType != wire.TypeLocation || l.ID == "" || l.Name == "" {
			t.Errorf("Location %+v lacks resourceType, id or name", l)
		}
		if len(l.Telecom) == 0 || l.Telecom[0].Value == "" {
			t.Errorf("Location/%s has no telecom (SMART Scheduling Links requires a phone)", l.ID)
		}
		if l.Address == nil || (len(l.Address.Line) == 0 && l.Address.City == "") {
			t.Errorf("Location/%s has no address", l.ID)
		}
	}
}

func (r *feedRig) schedules(t kit.T) {
	scheds := decodeLines[wire.Schedule](t, r.read(t), wire.TypeSchedule)
	if len(scheds) == 0 {
		t.Fatal("the feed publishes no Schedule")
	}
	for _, s := range scheds {
		if s.ResourceType != wire.TypeSchedule || s.ID == "" {
			t.Errorf("Schedule %+v lacks resourceType or id", s)
		}
		if !slices.ContainsFunc(s.Actor, func(a wire.Reference) bool { return strings.HasPrefix(a.Reference, "Location/") }) {
			t.Errorf("Schedule/%s has no Location actor", s.ID)
		}
		if len(s.ServiceType) == 0 {
			t.Errorf("Schedule/%s has no serviceType (the specialty)", s.ID)
		}
	}
}

func (r *feedRig) slots(t kit.T) {
	slots := decodeLines[wire.Slot](t, r.read(t), wire.TypeSlot)
	if len(slots) == 0 {
		t.Fatal("the feed publishes no Slot")
	}
	for _, s := range slots {
		if s.ResourceType != wire.TypeSlot || s.ID == "" || s.Schedule.Reference == "" {
			t.Errorf("Slot %+v lacks resourceType, id or schedule", s)
		}
		if s.Status != wire.StatusFree && s.Status != wire.StatusBusy {
			t.Errorf("Slot/%s has status %q, want free or busy", s.ID, s.Status)
		}
		start, err1 := time.Parse(time.RFC3339, s.Start)
		end, err2 := time.Parse(time.RFC3339, s.End)
		if err1 != nil || err2 != nil || !end.After(start) {
			t.Errorf("Slot/%s: start %q, end %q are not an interval of instants", s.ID, s.Start, s.End)
		}
	}
}

func (r *feedRig) references(t kit.T) {
	p := r.read(t)
	locs := map[string]bool{}
	for _, l := range decodeLines[wire.Location](t, p, wire.TypeLocation) {
		locs["Location/"+l.ID] = true
	}
	scheds := map[string]bool{}
	for _, s := range decodeLines[wire.Schedule](t, p, wire.TypeSchedule) {
		scheds["Schedule/"+s.ID] = true
		for _, a := range s.Actor {
			if strings.HasPrefix(a.Reference, "Location/") && !locs[a.Reference] {
				t.Errorf("Schedule/%s: actor %s is not a published Location", s.ID, a.Reference)
			}
		}
	}
	for _, s := range decodeLines[wire.Slot](t, p, wire.TypeSlot) {
		if !scheds[s.Schedule.Reference] {
			t.Errorf("Slot/%s: schedule %s is not a published Schedule", s.ID, s.Schedule.Reference)
		}
	}
}

func (r *feedRig) offsets(t kit.T) {
	for _, s := range decodeLines[wire.Slot](t, r.read(t), wire.TypeSlot) {
		checkOffset(t, r.loc, "Slot/"+s.ID+" start", s.Start)
		checkOffset(t, r.loc, "Slot/"+s.ID+" end", s.End)
	}
}

func (r *feedRig) reader(t kit.T) {
	if err := r.src.Sync(t.Context()); err != nil {
		t.Fatalf("the broker's feed reader cannot sync: %v", err)
	}
	st := r.src.Status()
	for reason, n := range st.Skipped {
		if n > 0 {
			t.Errorf("the reader skipped %d lines or resources as %s", n, reason)
		}
	}
	if st.FreeSlots == 0 {
		t.Fatal("the reader found no free slot to offer")
	}
	today := time.Now().In(r.loc)
	slots, err := r.src.SearchSlots(t.Context(), contracts.SlotQuery{From: today, To: today.AddDate(0, 0, 14), Limit: 20})
	if err != nil || len(slots) == 0 {
		t.Fatalf("search of the synced feed gave %d slots, %v; want free slots", len(slots), err)
	}
	for _, s := range slots {
		if s.Facility.ID == "" || s.Specialty.Code == "" {
			t.Errorf("slot %s is offered without its facility or specialty: %+v", s.ID, s)
		}
	}
}

func (r *feedRig) conditional(t kit.T) {
	first := r.wire.do(t, t.Context(), http.MethodGet, r.manifestURL(), "GET $bulk-publish", nil, nil)
	etag, modified := first.header.Get("ETag"), first.header.Get("Last-Modified")
	if etag == "" && modified == "" {
		t.Fatalf("the manifest has neither ETag nor Last-Modified: every poll reads everything; %s", first)
	}
	h := http.Header{}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	if modified != "" {
		h.Set("If-Modified-Since", modified)
	}
	if again := r.wire.do(t, t.Context(), http.MethodGet, r.manifestURL(), "GET $bulk-publish", h, nil); again.status != http.StatusNotModified {
		t.Errorf("a conditional request for an unchanged manifest answered %d, want 304", again.status)
	}
}
