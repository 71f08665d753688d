package conformance

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

// r4Requirements are the FHIR R4 rules a reviewer checks beyond the
// contract's own operations: required elements, references that resolve,
// identifiers with systems, instants in the region's offset.
var r4Requirements = []requirement{
	{id: "FHIR-R4-01", title: "Search answers carry the elements FHIR R4 requires", readOnly: true, run: r4Required},
	{id: "FHIR-R4-02", title: "References in a search Bundle resolve within the Bundle", readOnly: true, run: r4References},
	{id: "FHIR-R4-03", title: "Every identifier carries an absolute system and a value", readOnly: true, run: r4Identifiers},
	{id: "FHIR-R4-04", title: "Slot instants carry the region's UTC offset", readOnly: true, run: r4Offsets},
	{id: "FHIR-R4-05", title: "An appointment carries status, slot and participants with their status", run: r4Appointment},
}

// slotStatuses and appointmentStatuses are FHIR R4's value sets.
var (
	slotStatuses        = []string{"busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error"}
	appointmentStatuses = []string{"proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
		"entered-in-error", "checked-in", "waitlist"}
	participantStatuses = []string{"accepted", "declined", "tentative", "needs-action"}
)

// resource is the part of any resource the generic rules read.
type resource struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Actor        []misv2.Reference `json:"actor"` // Schedule
}

func r4Required(t kit.T, c *client) {
	res := c.search(t, "status=free&_count=20")
	for _, e := range res.bundle.Entry {
		var r resource
		if err := json.Unmarshal(e.Resource, &r); err != nil || r.ResourceType == "" || r.ID == "" {
			t.Errorf("entry %.200s lacks resourceType or id", e.Resource)
			continue
		}
		if r.ResourceType == "Schedule" && len(r.Actor) == 0 {
			t.Errorf("Schedule/%s has no actor (R4: Schedule.actor 1..*)", r.ID)
		}
	}
	for _, s := range res.slots {
		if !slices.Contains(slotStatuses, s.Status) {
			t.Errorf("Slot/%s: status %q is not in FHIR R4's slotstatus value set", s.ID, s.Status)
		}
		if s.Schedule.Reference == "" || s.Start == "" || s.End == "" {
			t.Errorf("Slot/%s lacks schedule, start or end (R4: each 1..1)", s.ID)
		}
	}
}

func r4References(t kit.T, c *client) {
	res := c.search(t, "status=free&_count=20")
	if len(res.slots) == 0 {
		t.Fatal("search for free slots returned none")
	}
	for _, s := range res.slots {
		raw, ok := res.included[s.Schedule.Reference]
		if !ok {
			t.Errorf("Slot/%s: schedule %q is not in the Bundle", s.ID, s.Schedule.Reference)
			continue
		}
		var sch resource
		_ = json.Unmarshal(raw, &sch) // it decoded as a resource already
		for _, a := range sch.Actor {
			if _, ok := res.included[a.Reference]; !ok {
				t.Errorf("%s: actor %q is not in the Bundle", s.Schedule.Reference, a.Reference)
			}
		}
	}
}

func r4Identifiers(t kit.T, c *client) {
	res := c.search(t, "status=free&_count=20")
	for _, e := range res.bundle.Entry {
		var v any
		_ = json.Unmarshal(e.Resource, &v) // decoded once already by search
		checkIdentifiers(t, v, "entry")
	}
}

// checkIdentifiers walks a decoded resource and fails t for every
// identifier (any "identifier" or "valueIdentifier" element) without an
// absolute system URI or without a value.
func checkIdentifiers(t kit.T, v any, where string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if rt, ok := x["resourceType"].(string); ok {
			id, _ := x["id"].(string)
			where = rt + "/" + id
		}
		for k, child := range x {
			if k == "identifier" || k == "valueIdentifier" {
				for _, id := range asList(child) {
					checkIdentifier(t, id, where)
				}
			}
			checkIdentifiers(t, child, where)
		}
	case []any:
		for _, child := range x {
			checkIdentifiers(t, child, where)
		}
	}
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func checkIdentifier(t kit.T, v any, where string) {
	t.Helper()
	id, _ := v.(map[string]any)
	system, _ := id["system"].(string)
	value, _ := id["value"].(string)
	if u, err := url.Parse(system); system == "" || err != nil || u.Scheme == "" {
		t.Errorf("%s: identifier %v has no absolute system URI", where, v)
	}
	if value == "" {
		t.Errorf("%s: identifier %v has no value", where, v)
	}
}

func r4Offsets(t kit.T, c *client) {
	if c.zone == "" {
		t.Skip("no region time zone given (--time-zone or --region): offsets not checked")
	}
	if c.loc == nil {
		t.Fatalf("time zone %q does not load", c.zone)
	}
	res := c.search(t, "status=free&_count=50")
	for _, s := range res.slots {
		for _, v := range []string{s.Start, s.End} {
			checkOffset(t, c.loc, "Slot/"+s.ID, v)
		}
	}
}

// checkOffset fails t unless instant v carries loc's UTC offset at v.
func checkOffset(t kit.T, loc *time.Location, where, v string) {
	t.Helper()
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Errorf("%s: %q is not an RFC 3339 instant", where, v)
		return
	}
	_, got := at.Zone()
	if _, want := at.In(loc).Zone(); got != want {
		t.Errorf("%s: %s has offset %s, the region (%s) is at %s then", where, v,
			time.Duration(got)*time.Second, loc, time.Duration(want)*time.Second)
	}
}

func r4Appointment(t kit.T, c *client) {
	_, held := c.held(t)
	r := c.get(t, "/Appointment/"+held.ID)
	a := decode[misv2.Appointment](t, r, http.StatusOK, "read")
	if a.ResourceType != "Appointment" || a.ID == "" {
		t.Errorf("read answered %q with id %q, want an Appointment with an id; %s", a.ResourceType, a.ID, r)
	}
	if !slices.Contains(appointmentStatuses, a.Status) {
		t.Errorf("Appointment/%s: status %q is not in FHIR R4's appointmentstatus value set", a.ID, a.Status)
	}
	if len(a.Slot) == 0 {
		t.Errorf("Appointment/%s has no slot", a.ID)
	}
	if len(a.Participant) == 0 {
		t.Errorf("Appointment/%s has no participant (R4: Appointment.participant 1..*)", a.ID)
	}
	for _, p := range a.Participant {
		if !slices.Contains(participantStatuses, p.Status) {
			t.Errorf("Appointment/%s: participant %s has status %q, not one of R4's participationstatus", a.ID, p.Actor.Reference, p.Status)
		}
	}
	var v any
	_ = json.Unmarshal(r.body, &v) // decoded above
	checkIdentifiers(t, v, "Appointment/"+a.ID)
	if c.loc != nil {
		for _, inst := range []string{a.Start, a.End} {
			if inst != "" {
				checkOffset(t, c.loc, "Appointment/"+a.ID, inst)
			}
		}
	}
}
