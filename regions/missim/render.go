package missim

import (
	"encoding/json"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
)

// fhirStatus maps the simulator's statuses onto FHIR Appointment.status:
// a lapsed hold is, to the contract, a cancelled appointment.
func fhirStatus(status string) string {
	if status == statusExpired {
		return misv2.StatusCancelled
	}
	return status
}

func (s *Server) renderAppointment(v apptView) misv2.Appointment {
	p := v.slot.prac
	a := misv2.Appointment{
		ResourceType: "Appointment",
		ID:           v.id,
		Status:       fhirStatus(v.status),
		Slot:         []misv2.Reference{{Reference: "Slot/" + v.slot.id}},
		Start:        v.slot.startStr,
		End:          v.slot.endStr,
		Participant: []misv2.AppointmentParticipant{
			{Actor: misv2.Reference{Reference: "PractitionerRole/" + p.roleID, Display: p.name}, Status: "accepted"},
			{Actor: misv2.Reference{Reference: "Location/" + p.fac.id, Display: p.fac.name}, Status: "accepted"},
		},
	}
	s.cfg.Quirks.echoPatient(&a, v)
	if v.holdKey != "" { // an appointment made at the clinic has no hold key
		a.Identifier = []misv2.Identifier{{System: misv2.IdempotencyKeySystem, Value: v.holdKey}}
	}
	if v.status == misv2.StatusPending || v.status == statusExpired {
		a.Extension = []misv2.Extension{{
			URL:          misv2.HoldExpiresExtension,
			ValueInstant: v.expires.In(s.loc).Format(time.RFC3339),
		}}
	}
	return a
}

func renderSlot(sl *slot, free bool, q Quirks) misv2.Slot {
	status := "busy"
	if free {
		status = "free"
	}
	return misv2.Slot{
		ResourceType: "Slot",
		ID:           sl.id,
		Schedule:     misv2.Reference{Reference: "Schedule/" + sl.prac.scheduleID},
		Status:       status,
		Start:        sl.startStr,
		End:          sl.endStr,
		Specialty:    []misv2.CodeableConcept{q.specialty(concept(sl.prac.spec))},
	}
}

// concept is sp as the contract codes it.
func concept(sp specialty) misv2.CodeableConcept {
	return misv2.CodeableConcept{
		Coding: []misv2.Coding{{System: misv2.SpecialtySystem, Code: sp.Code, Display: sp.Display}},
		Text:   sp.Display,
	}
}

// includes are the resources a slot search brings along, rendered once.
type includes struct {
	schedule, role, person map[*practitioner]json.RawMessage
	location               map[*facility]json.RawMessage
}

func renderIncludes(w *world, q Quirks) includes {
	inc := includes{
		schedule: map[*practitioner]json.RawMessage{},
		role:     map[*practitioner]json.RawMessage{},
		person:   map[*practitioner]json.RawMessage{},
		location: map[*facility]json.RawMessage{},
	}
	for _, f := range w.facilities {
		inc.location[f] = mustJSON(q.location(renderLocation(f)))
	}
	for _, p := range w.practitioners {
		inc.schedule[p] = mustJSON(renderSchedule(p))
		inc.role[p] = q.role(mustJSON(renderRole(p)), p)
		inc.person[p] = mustJSON(renderPractitioner(p))
	}
	return inc
}

func renderLocation(f *facility) misv2.Location {
	return misv2.Location{
		ResourceType: "Location",
		ID:           f.id,
		Identifier:   []misv2.Identifier{{System: misv2.FacilityOIDSystem, Value: "urn:oid:" + f.oid}},
		Name:         f.name,
		Address:      &misv2.Address{Text: "г. " + f.city + ", " + f.street, Line: []string{f.street}, City: f.city},
	}
}

func renderSchedule(p *practitioner) misv2.Schedule {
	return misv2.Schedule{
		ResourceType: "Schedule",
		ID:           p.scheduleID,
		Active:       true,
		Actor: []misv2.Reference{
			{Reference: "PractitionerRole/" + p.roleID, Display: p.name},
			{Reference: "Location/" + p.fac.id, Display: p.fac.name},
		},
		Specialty: []misv2.CodeableConcept{concept(p.spec)},
	}
}

func renderRole(p *practitioner) misv2.PractitionerRole {
	return misv2.PractitionerRole{
		ResourceType: "PractitionerRole",
		ID:           p.roleID,
		Practitioner: misv2.Reference{Reference: "Practitioner/" + p.practitionerID, Display: p.name},
		Location:     []misv2.Reference{{Reference: "Location/" + p.fac.id, Display: p.fac.name}},
		Specialty:    []misv2.CodeableConcept{concept(p.spec)},
	}
}

// renderPractitioner is the person behind a role: SNILS identifies the
// practitioner, not one of their roles (contract 2.0).
func renderPractitioner(p *practitioner) misv2.Practitioner {
	return misv2.Practitioner{
		ResourceType: "Practitioner",
		ID:           p.practitionerID,
		Identifier:   []misv2.Identifier{{System: misv2.SNILSSystem, Value: p.snils}},
		Name:         []misv2.HumanName{{Text: p.name}},
	}
}

// mustJSON marshals values built from fixed types that cannot fail.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
