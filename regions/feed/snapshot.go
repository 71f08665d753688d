package feed

import (
	"sort"
	"strings"
	"time"

	"github.com/fedhealth/federation/regions/slotoffset"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/feed/wire"
)

// facilityOIDSystem identifies a Location by its federal registry OID, as
// in the real-time contract (misv2.FacilityOIDSystem).
const facilityOIDSystem = "urn:ietf:rfc:3986"

// specialtySystem is the specialty directory the broker's citizens search
// by (misv2.SpecialtySystem, the federal directory of medical specialties);
// a Schedule's coding in it is preferred.
const specialtySystem = "urn:oid:1.2.643.5.1.13.13.11.1066"

// entry is one slot of the data set, resolved against its Schedule and
// Location. It is immutable once the snapshot is built.
type entry struct {
	slot        contracts.Slot // Free: as the feed says
	contact     Contact
	specialties []string // every serviceType code of the Schedule
	facilityIDs []string // the Location's id and OID
}

// snapshot is the data set of one successful sync.
type snapshot struct {
	byID      map[string]*entry
	order     []*entry // by start, then id
	locations int
	schedules int
	skipped   map[string]int // by reason, file lines and resolution together
	published time.Time      // the manifest's transactionTime
}

// build resolves the files' Slots against their Schedules and Locations.
// Duplicates keep the first resource; a Slot is skipped when its Schedule
// is missing or its offset is not the region's.
func (s *Source) build(files []*fileData, published time.Time) *snapshot {
	snap := &snapshot{byID: map[string]*entry{}, skipped: map[string]int{}, published: published}
	locs, scheds := map[string]wire.Location{}, map[string]wire.Schedule{}
	var slots []wire.Slot
	for _, f := range files {
		for reason, n := range f.skipped {
			snap.skipped[reason] += n
		}
		for _, l := range f.locations {
			snap.countDuplicate(keepFirst(locs, l.ID, l))
		}
		for _, sc := range f.schedules {
			snap.countDuplicate(keepFirst(scheds, sc.ID, sc))
		}
		slots = append(slots, f.slots...)
	}
	snap.locations, snap.schedules = len(locs), len(scheds)
	for _, sl := range slots {
		if _, dup := snap.byID[sl.ID]; dup {
			snap.skipped[SkipDuplicate]++
			continue
		}
		e, reason := s.resolve(sl, scheds, locs)
		if e == nil {
			snap.skipped[reason]++
			continue
		}
		snap.byID[sl.ID] = e
		snap.order = append(snap.order, e)
	}
	sort.Slice(snap.order, func(i, j int) bool {
		a, b := snap.order[i].slot, snap.order[j].slot
		return a.Start.Before(b.Start) || (a.Start.Equal(b.Start) && a.ID < b.ID)
	})
	return snap
}

// keepFirst stores v under id unless id is taken; false for a duplicate.
func keepFirst[T any](m map[string]T, id string, v T) bool {
	if _, dup := m[id]; dup {
		return false
	}
	m[id] = v
	return true
}

func (snap *snapshot) countDuplicate(kept bool) {
	if !kept {
		snap.skipped[SkipDuplicate]++
	}
}

// resolve turns a feed Slot into an entry, or names why it cannot.
func (s *Source) resolve(sl wire.Slot, scheds map[string]wire.Schedule, locs map[string]wire.Location) (*entry, string) {
	sc, ok := scheds[refID(sl.Schedule.Reference, "Schedule")]
	if !ok {
		return nil, SkipUnresolved
	}
	start, ok1 := parseInstant(sl.Start)
	end, ok2 := parseInstant(sl.End)
	if !ok1 || !ok2 || !end.After(start) {
		return nil, SkipMalformed
	}
	for _, t := range []time.Time{start, end} {
		if m := slotoffset.Check(sl.ID, t, s.loc); m != nil {
			s.refuseSlot(*m)
			return nil, SkipOffset
		}
	}
	e := &entry{slot: contracts.Slot{ID: sl.ID, Start: start.In(s.loc), End: end.In(s.loc), Free: sl.Status == wire.StatusFree}}
	e.slot.Specialty, e.specialties = specialty(sc.ServiceType)
	loc := s.actors(sc, locs, e)
	e.contact = contactOf(sl, loc)
	return e, ""
}

// actors fills the practitioner and facility from the Schedule's actors
// and returns the Location they name (zero when the feed lacks it).
func (s *Source) actors(sc wire.Schedule, locs map[string]wire.Location, e *entry) wire.Location {
	var loc wire.Location
	for _, a := range sc.Actor {
		kind, id, _ := strings.Cut(a.Reference, "/")
		switch kind {
		case "PractitionerRole", "Practitioner":
			if e.slot.Practitioner.ID == "" || kind == "Practitioner" {
				e.slot.Practitioner = contracts.Practitioner{ID: id, Name: a.Display}
			}
		case "HealthcareService":
			if e.slot.Practitioner.Name == "" {
				e.slot.Practitioner.Name = a.Display
			}
		case "Location":
			loc = locs[id]
			e.slot.Facility = facility(id, a.Display, loc)
			e.facilityIDs = []string{id}
			if e.slot.Facility.ID != id {
				e.facilityIDs = append(e.facilityIDs, e.slot.Facility.ID)
			}
		}
	}
	return loc
}

// facility identifies a Location by its federal registry OID when it has
// one, by its feed id otherwise (regions/fhir does the same).
func facility(id, display string, loc wire.Location) contracts.Facility {
	f := contracts.Facility{ID: id, Name: display}
	if loc.ID == "" {
		return f
	}
	f.Name, f.Address = loc.Name, address(loc.Address)
	for _, ident := range loc.Identifier {
		if ident.System == facilityOIDSystem && strings.HasPrefix(ident.Value, "urn:oid:") {
			f.ID = strings.TrimPrefix(ident.Value, "urn:oid:")
			break
		}
	}
	return f
}

func address(a *wire.Address) string {
	if a == nil {
		return ""
	}
	parts := append([]string{}, a.Line...)
	for _, p := range []string{a.City, a.State, a.PostalCode} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// specialty picks the coding shown (the broker's directory first, else the
// first coding) and lists every code, any of which a search may name.
func specialty(concepts []wire.CodeableConcept) (contracts.Coding, []string) {
	var shown contracts.Coding
	var codes []string
	for _, cc := range concepts {
		for _, c := range cc.Coding {
			codes = append(codes, c.Code)
			display := c.Display
			if display == "" {
				display = cc.Text
			}
			if shown.Code == "" || (c.System == specialtySystem && shown.System != specialtySystem) {
				shown = contracts.Coding{System: c.System, Code: c.Code, Display: display}
			}
		}
	}
	return shown, codes
}

// refID drops an optional "Type/" prefix (and a "system|" one) from a
// reference or search value; with a type given, a prefix of another type
// yields "".
func refID(v, typ string) string {
	if i := strings.LastIndexByte(v, '|'); i >= 0 {
		v = v[i+1:]
	}
	kind, id, found := strings.Cut(v, "/")
	switch {
	case !found:
		return v
	case typ != "" && kind != typ:
		return ""
	}
	return id
}
