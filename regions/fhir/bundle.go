package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fedhealth/federation/regions/slotoffset"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// bundle indexes a searchset: its matches in order, its includes by
// "Type/id" so references resolve whether relative or absolute.
type bundle struct {
	slots        []misv2.Slot
	appointments []misv2.Appointment
	schedules    map[string]misv2.Schedule
	roles        map[string]misv2.PractitionerRole
	people       map[string]misv2.Practitioner
	locations    map[string]misv2.Location
}

func indexBundle(b misv2.Bundle) (bundle, error) {
	idx := bundle{
		schedules: map[string]misv2.Schedule{},
		roles:     map[string]misv2.PractitionerRole{},
		people:    map[string]misv2.Practitioner{},
		locations: map[string]misv2.Location{},
	}
	if b.ResourceType != "Bundle" {
		return idx, fmt.Errorf("resourceType %q, want Bundle", b.ResourceType)
	}
	for i, e := range b.Entry {
		if err := idx.add(e.Resource); err != nil {
			return idx, fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return idx, nil
}

func (idx *bundle) add(raw json.RawMessage) error {
	var head struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return err
	}
	key := head.ResourceType + "/" + head.ID
	switch head.ResourceType {
	case "Slot":
		return appendDecoded(raw, &idx.slots)
	case "Appointment":
		return appendDecoded(raw, &idx.appointments)
	case "Schedule":
		return putDecoded(raw, key, idx.schedules)
	case "PractitionerRole":
		return putDecoded(raw, key, idx.roles)
	case "Practitioner":
		return putDecoded(raw, key, idx.people)
	case "Location":
		return putDecoded(raw, key, idx.locations)
	}
	return nil // OperationOutcome warnings and resources we do not use
}

func appendDecoded[T any](raw json.RawMessage, into *[]T) error {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	*into = append(*into, v)
	return nil
}

func putDecoded[T any](raw json.RawMessage, key string, into map[string]T) error {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	into[key] = v
	return nil
}

// refKey reduces "Location/1", "https://mis/fhir/Location/1" and
// ".../Location/1/_history/2" to "Location/1".
func refKey(ref string) string {
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	if len(parts) < 2 {
		return ref
	}
	return parts[len(parts)-2] + "/" + parts[len(parts)-1]
}

// refID returns the id part of a reference ("Slot/42" → "42").
func refID(ref string) string {
	k := refKey(ref)
	return k[strings.LastIndex(k, "/")+1:]
}

// slotsOf joins every Slot of b with its Schedule, PractitionerRole,
// Practitioner and Location. Missing includes leave fields empty rather than fail: a slot
// without a doctor's name is still bookable. A slot whose offset is not the
// region's is left out (see errOffsetMismatch), counted and logged; any
// other malformed slot breaks the whole answer.
func (c *Client) slotsOf(b misv2.Bundle) ([]contracts.Slot, error) {
	idx, err := indexBundle(b)
	if err != nil {
		return nil, err
	}
	out := make([]contracts.Slot, 0, len(idx.slots))
	for _, s := range idx.slots {
		slot, err := c.toSlot(s, idx)
		var shifted *offsetError
		switch {
		case errors.As(err, &shifted):
			c.refuseSlot(shifted.m)
			continue
		case err != nil:
			return nil, fmt.Errorf("slot %.64q: %w", s.ID, err)
		}
		out = append(out, slot)
	}
	return out, nil
}

func (c *Client) toSlot(s misv2.Slot, idx bundle) (contracts.Slot, error) {
	if !validID(s.ID) {
		return contracts.Slot{}, errors.New("missing or malformed id")
	}
	start, end, err := c.slotTimes(s)
	if err != nil {
		return contracts.Slot{}, err
	}
	sched := idx.schedules[refKey(s.Schedule.Reference)]
	roleRef := actorRef("PractitionerRole", sched.Actor)
	role := idx.roles[refKey(roleRef.Reference)]
	loc := idx.locations[refKey(actorRef("Location", sched.Actor).Reference)]
	if loc.ID == "" && len(role.Location) > 0 {
		loc = idx.locations[refKey(role.Location[0].Reference)]
	}
	return contracts.Slot{
		ID:           s.ID,
		Start:        start,
		End:          end,
		Free:         s.Status == "free",
		Specialty:    specialtyOf(s.Specialty, sched.Specialty, role.Specialty),
		Practitioner: practitioner(role, roleRef, idx.people[refKey(role.Practitioner.Reference)]),
		Facility:     facility(loc),
	}, nil
}

// slotTimes parses the slot's start and end, which must be RFC 3339
// instants with the region's offset, the end after the start.
func (c *Client) slotTimes(s misv2.Slot) (start, end time.Time, err error) {
	start, err1 := time.Parse(time.RFC3339, s.Start)
	end, err2 := time.Parse(time.RFC3339, s.End)
	switch {
	case err1 != nil || err2 != nil:
		return start, end, fmt.Errorf("malformed start/end %.40q/%.40q", s.Start, s.End)
	case !end.After(start):
		return start, end, fmt.Errorf("end %.40q is not after start %.40q", s.End, s.Start)
	}
	for _, t := range []time.Time{start, end} {
		if m := slotoffset.Check(s.ID, t, c.loc); m != nil {
			return start, end, &offsetError{*m}
		}
	}
	return start.In(c.loc), end.In(c.loc), nil
}

// actorRef finds the Schedule actor of the given resource type; its display
// names the doctor when the PractitionerRole was not included.
func actorRef(typ string, actors []misv2.Reference) misv2.Reference {
	for _, a := range actors {
		if strings.HasPrefix(refKey(a.Reference), typ+"/") {
			return a
		}
	}
	return misv2.Reference{}
}

func (c *Client) instant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.In(c.loc), nil
}
