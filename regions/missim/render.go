package missim

import (
	"encoding/json"
	"time"

	"github.com/fedhealth/federation/contracts/misv1"
)

// fhirStatus maps the simulator's statuses onto FHIR Appointment.status:
// a lapsed hold is, to the contract, a cancelled appointment.
func fhirStatus(status string) string {
	if status == statusExpired {
		return misv1.StatusCancelled
	}
	return status
}

func (s *Server) renderAppointment(v apptView) misv1.Appointment {
	p := v.slot.prac
	a := misv1.Appointment{
		ResourceType: "Appointment",
		ID:           v.id,
		Status:       fhirStatus(v.status),
		Identifier:   []misv1.Identifier{{System: misv1.IdempotencyKeySystem, Value: v.holdKey}},
		Slot:         []misv1.Reference{{Reference: "Slot/" + v.slot.id}},
		Start:        v.slot.startStr,
		End:          v.slot.endStr,
		Participant: []misv1.AppointmentParticipant{
			{Actor: misv1.Reference{Reference: "PractitionerRole/" + p.roleID, Display: p.name}, Status: "accepted"},
			{Actor: misv1.Reference{Reference: "Location/" + p.fac.id, Display: p.fac.name}, Status: "accepted"},
		},
	}
	if v.status == misv1.StatusPending || v.status == statusExpired {
		a.Extension = []misv1.Extension{{
			URL:          misv1.HoldExpiresExtension,
			ValueInstant: v.expires.In(s.loc).Format(time.RFC3339),
		}}
	}
	return a
}

func renderSlot(sl *slot, free bool) misv1.Slot {
	status := "busy"
	if free {
		status = "free"
	}
	return misv1.Slot{
		ResourceType: "Slot",
		ID:           sl.id,
		Schedule:     misv1.Reference{Reference: "Schedule/" + sl.prac.scheduleID},
		Status:       status,
		Start:        sl.startStr,
		End:          sl.endStr,
		ServiceType:  []misv1.CodeableConcept{sl.prac.spec.concept()},
	}
}

func (sp specialty) concept() misv1.CodeableConcept {
	return misv1.CodeableConcept{
		Coding: []misv1.Coding{{System: misv1.SpecialtySystem, Code: sp.Code, Display: sp.Display}},
		Text:   sp.Display,
	}
}

// includes are the resources a slot search brings along, rendered once.
type includes struct {
	schedule, role map[*practitioner]json.RawMessage
	location       map[*facility]json.RawMessage
}

func renderIncludes(w *world) includes {
	inc := includes{
		schedule: map[*practitioner]json.RawMessage{},
		role:     map[*practitioner]json.RawMessage{},
		location: map[*facility]json.RawMessage{},
	}
	for _, f := range w.facilities {
		inc.location[f] = mustJSON(renderLocation(f))
	}
	for _, p := range w.practitioners {
		inc.schedule[p] = mustJSON(renderSchedule(p))
		inc.role[p] = mustJSON(renderRole(p))
	}
	return inc
}

func renderLocation(f *facility) misv1.Location {
	return misv1.Location{
		ResourceType: "Location",
		ID:           f.id,
		Identifier:   []misv1.Identifier{{System: misv1.FacilityOIDSystem, Value: "urn:oid:" + f.oid}},
		Name:         f.name,
		Address:      &misv1.Address{Text: "г. " + f.city + ", " + f.street, Line: []string{f.street}, City: f.city},
	}
}

func renderSchedule(p *practitioner) misv1.Schedule {
	return misv1.Schedule{
		ResourceType: "Schedule",
		ID:           p.scheduleID,
		Active:       true,
		Actor: []misv1.Reference{
			{Reference: "PractitionerRole/" + p.roleID, Display: p.name},
			{Reference: "Location/" + p.fac.id, Display: p.fac.name},
		},
		ServiceType: []misv1.CodeableConcept{p.spec.concept()},
	}
}

func renderRole(p *practitioner) misv1.PractitionerRole {
	return misv1.PractitionerRole{
		ResourceType: "PractitionerRole",
		ID:           p.roleID,
		Identifier:   []misv1.Identifier{{System: misv1.SNILSSystem, Value: p.snils}},
		Practitioner: misv1.Reference{Reference: "Practitioner/" + p.practitionerID, Display: p.name},
		Location:     []misv1.Reference{{Reference: "Location/" + p.fac.id, Display: p.fac.name}},
		Specialty:    []misv1.CodeableConcept{p.spec.concept()},
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
