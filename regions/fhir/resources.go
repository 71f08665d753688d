package fhir

import (
	"regexp"
	"strings"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// idPattern is FHIR's id syntax. Ids go into URL paths, so anything else is
// refused before it can reach the MIS.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

func validID(id string) bool { return idPattern.MatchString(id) }

// validKey accepts idempotency keys that fit in a header unchanged.
func validKey(key string) bool {
	if key == "" || len(key) > 256 {
		return false
	}
	for _, r := range key {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}

// specialtyOf returns the specialty of a slot from the concept lists, in
// order of preference (Slot.specialty, Schedule.specialty,
// PractitionerRole.specialty): the first coding of the federal directory
// (misv2.SpecialtySystem), or else the first coding of any system, so a
// region that codes in its own directory still shows a specialty.
func specialtyOf(lists ...[]misv2.CodeableConcept) contracts.Coding {
	var first *contracts.Coding
	for _, concepts := range lists {
		for _, cc := range concepts {
			for _, c := range cc.Coding {
				display := c.Display
				if display == "" {
					display = cc.Text
				}
				got := contracts.Coding{System: c.System, Code: c.Code, Display: display}
				if c.System == misv2.SpecialtySystem {
					return got
				}
				if first == nil {
					first = &got
				}
			}
		}
	}
	if first == nil {
		return contracts.Coding{}
	}
	return *first
}

// practitioner names the doctor: the Practitioner's id when referenced
// (the PractitionerRole's otherwise) and the display patients see, from
// the role's reference, the included Practitioner's name or the schedule's
// actor, in that order.
func practitioner(role misv2.PractitionerRole, actor misv2.Reference, person misv2.Practitioner) contracts.Practitioner {
	p := contracts.Practitioner{ID: role.ID, Name: role.Practitioner.Display}
	if role.Practitioner.Reference != "" {
		p.ID = refID(role.Practitioner.Reference)
	}
	if p.ID == "" && actor.Reference != "" {
		p.ID = refID(actor.Reference)
	}
	if p.Name == "" && len(person.Name) > 0 {
		p.Name = person.Name[0].Text
	}
	if p.Name == "" {
		p.Name = actor.Display
	}
	return p
}

// facility identifies a Location by its federal registry OID when it has
// one, by its MIS id otherwise.
func facility(loc misv2.Location) contracts.Facility {
	f := contracts.Facility{ID: loc.ID, Name: loc.Name, Address: address(loc.Address)}
	for _, id := range loc.Identifier {
		if id.System == misv2.FacilityOIDSystem && strings.HasPrefix(id.Value, "urn:oid:") {
			f.ID = strings.TrimPrefix(id.Value, "urn:oid:")
			break
		}
	}
	return f
}

func address(a *misv2.Address) string {
	if a == nil {
		return ""
	}
	if a.Text != "" {
		return a.Text
	}
	parts := append([]string{}, a.Line...)
	if a.City != "" {
		parts = append(parts, a.City)
	}
	return strings.Join(parts, ", ")
}
