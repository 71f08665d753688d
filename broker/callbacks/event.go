package callbacks

import (
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/google/uuid"
)

// eventSpace names the event ids of callbacks.
var eventSpace = uuid.MustParse("2b7f1f0e-8d3a-4c55-a1f2-5e0c9d7b3a41")

// EventID is the ClinicEvent id of a region's delivery: derived from the
// region and the webhook-id, so a delivery processed twice (two instances
// at once, or a repeat after its answer was swept) is applied once.
func EventID(region, webhookID string) string {
	return uuid.NewSHA1(eventSpace, []byte(region+"\x00"+webhookID)).String()
}

// changes maps the contract's callback types to the history's changes.
var changes = map[string]contracts.ClinicChange{
	misv2.CallbackCancelled:       contracts.ClinicCancelled,
	misv2.CallbackMoved:           contracts.ClinicMoved,
	misv2.CallbackVisited:         contracts.ClinicVisited,
	misv2.CallbackNoShow:          contracts.ClinicNoShow,
	misv2.CallbackBookedElsewhere: contracts.ClinicBookedElsewhere,
}

// event is the ClinicEvent of a decoded callback; the patient's
// identifiers become keys here and go no further.
func (h *Handler) event(region, webhookID string, cb misv2.StatusCallback) contracts.ClinicEvent {
	d := cb.Data
	ev := contracts.ClinicEvent{
		Version: contracts.MessageVersion, EventID: EventID(region, webhookID), Region: region,
		AppointmentID: d.AppointmentID, Change: changes[cb.Type], At: cb.Timestamp.UTC(), Sequence: d.Sequence,
		Start: d.Start.UTC(), End: d.End.UTC(), CorrelationID: "callback:" + webhookID,
	}
	switch ev.Change {
	case contracts.ClinicCancelled:
		ev.ReasonCode = d.Reason
	case contracts.ClinicBookedElsewhere:
		ev.Channel = d.Channel
		ev.PatientKeys = h.keys.PatientKeys(d.Patient.SNILS, d.Patient.OMS)
		ev.Specialty, ev.PractitionerName, ev.FacilityName = d.Specialty, d.Practitioner, d.Location
		ev.SpecialtyName = misv2.SpecialtyName(d.Specialty)
	}
	return ev
}
