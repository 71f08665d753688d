package contracts

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// TopicClinic carries ClinicEvent v1, keyed by region and MIS appointment
// id so one appointment's changes stay in order. Part of the wire, like the
// other topics: renaming it orphans the changes already in it.
const TopicClinic = "fed.clinic.v1"

// ClinicChange is what a clinic did to an appointment.
type ClinicChange string

// Clinic changes. Stored in events and timelines: add, never rename.
const (
	ClinicCancelled       ClinicChange = "cancelled"
	ClinicMoved           ClinicChange = "moved"
	ClinicVisited         ClinicChange = "visited"
	ClinicNoShow          ClinicChange = "no_show"
	ClinicBookedElsewhere ClinicChange = "booked_elsewhere"
)

// ClinicChanges lists the changes this version knows.
var ClinicChanges = []ClinicChange{ClinicCancelled, ClinicMoved, ClinicVisited, ClinicNoShow, ClinicBookedElsewhere}

// ClinicChannels are the channels through which an appointment booked
// elsewhere was made.
var ClinicChannels = []string{"call_centre", "registry_desk", "kiosk", "other_portal"}

// ClinicCancelReasons are the clinic's reasons for a cancellation.
var ClinicCancelReasons = []string{"practitioner_unavailable", "clinic_closed", "patient_request_by_phone", "other"}

// ClinicEvent v1 is one change a clinic made to an appointment, as its
// MIS reported it (a callback) or as reconciliation found it. It carries no
// identifier in clear: PatientKeys are keyed hashes of the patient's SNILS
// and OMS (see the broker's auth.Pseudonymizer.PatientKeys).
type ClinicEvent struct {
	Version int `json:"v"`
	// EventID deduplicates: the same id is applied at most once.
	EventID       string       `json:"event_id"`
	Region        string       `json:"region"`
	AppointmentID string       `json:"appointment_id"` // the MIS's id
	Change        ClinicChange `json:"change"`
	// At is when the MIS made the change; with Sequence (the MIS's
	// per-appointment version, when it has one: 0 when not) it orders the
	// changes of one appointment.
	At       time.Time `json:"at"`
	Sequence int64     `json:"sequence,omitempty"`
	// Start and End: the new time (moved) or the appointment's time
	// (booked_elsewhere).
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// ReasonCode is one of ClinicCancelReasons, for cancelled.
	ReasonCode string `json:"reason_code,omitempty"`
	// Channel is one of ClinicChannels, for booked_elsewhere.
	Channel     string   `json:"channel,omitempty"`
	PatientKeys []string `json:"patient_keys,omitempty"`
	// Specialty (the code of the federal directory of medical
	// specialties), SpecialtyName, PractitionerName and FacilityName
	// describe a booked_elsewhere appointment for the history, when the MIS
	// says.
	Specialty        string `json:"specialty,omitempty"`
	SpecialtyName    string `json:"specialty_name,omitempty"`
	PractitionerName string `json:"practitioner_name,omitempty"`
	FacilityName     string `json:"facility_name,omitempty"`
	CorrelationID    string `json:"correlation_id,omitempty"`
	// Origin is who found the change: empty for the MIS itself (a
	// callback), ClinicOriginReconciliation for the reconciliation pass,
	// ClinicOriginOperator for a feed region's operator; the timeline
	// then names it as the entry's source.
	Origin string `json:"origin,omitempty"`
	// Note is plain text for the citizen that an operator left with the
	// change (origin operator only; checked for identifiers before it is
	// published). It goes to the booking's timeline and nowhere else: only
	// the history's applier reads this topic.
	Note string `json:"note,omitempty"`
}

// ClinicOriginReconciliation marks a ClinicEvent the reconciliation pass
// inferred from what the MIS holds, rather than one the MIS reported.
const ClinicOriginReconciliation = "reconciliation"

// ClinicOriginOperator marks a ClinicEvent a feed region's operator
// recorded: a feed has no MIS to call back, so the operator's actions are
// its callbacks.
const ClinicOriginOperator = "operator"

// maxClinicNote bounds an operator's note: a sentence or two.
const maxClinicNote = 500

// Validate reports what is wrong with e: ErrInvalid for an event this
// version cannot accept, ErrUnsupported for a newer version or change (a
// newer instance may know it), version first.
func (e ClinicEvent) Validate() error {
	switch {
	case e.Version < 1:
		return fmt.Errorf("clinic event version %d malformed: %w", e.Version, ErrInvalid)
	case e.Version > MessageVersion:
		return fmt.Errorf("clinic event version %d is newer than %d: %w", e.Version, MessageVersion, ErrUnsupported)
	case e.EventID == "" || e.AppointmentID == "":
		return fmt.Errorf("clinic event needs event_id and appointment_id: %w", ErrInvalid)
	case !ValidRegionCode(e.Region):
		return fmt.Errorf("clinic event region %q malformed: %w", e.Region, ErrInvalid)
	case e.At.IsZero():
		return fmt.Errorf("clinic event without the MIS's time: %w", ErrInvalid)
	case e.Sequence < 0:
		return fmt.Errorf("clinic event sequence %d negative: %w", e.Sequence, ErrInvalid)
	case e.Change == "":
		return fmt.Errorf("clinic event without change: %w", ErrInvalid)
	case e.Origin != "" && e.Origin != ClinicOriginReconciliation && e.Origin != ClinicOriginOperator:
		return fmt.Errorf("clinic event origin %q unknown: %w", e.Origin, ErrUnsupported)
	case e.Note != "" && (e.Origin != ClinicOriginOperator || len(e.Note) > maxClinicNote):
		return fmt.Errorf("clinic event note: only an operator's, at most %d bytes: %w", maxClinicNote, ErrInvalid)
	case !slices.Contains(ClinicChanges, e.Change):
		return fmt.Errorf("clinic change %q unknown: %w", e.Change, ErrUnsupported)
	}
	return e.validateChange()
}

func (e ClinicEvent) validateChange() error {
	switch e.Change {
	case ClinicCancelled:
		if !slices.Contains(ClinicCancelReasons, e.ReasonCode) {
			return fmt.Errorf("clinic cancellation reason %q is not one of %v: %w", e.ReasonCode, ClinicCancelReasons, ErrInvalid)
		}
	case ClinicMoved:
		if e.Start.IsZero() || !e.End.After(e.Start) {
			return fmt.Errorf("moved needs a start before its end: %w", ErrInvalid)
		}
	case ClinicBookedElsewhere:
		switch {
		case e.Start.IsZero() || !e.End.After(e.Start):
			return fmt.Errorf("booked_elsewhere needs a start before its end: %w", ErrInvalid)
		case !slices.Contains(ClinicChannels, e.Channel):
			return fmt.Errorf("booked_elsewhere channel %q is not one of %v: %w", e.Channel, ClinicChannels, ErrInvalid)
		case len(e.PatientKeys) == 0:
			return fmt.Errorf("booked_elsewhere needs patient_keys to find the citizen: %w", ErrInvalid)
		}
	}
	return nil
}

// DecodeClinicEvent parses and validates a ClinicEvent v1, as
// DecodeSagaCommand does a command: malformed is ErrInvalid, an unknown
// field ErrUnsupported (a newer instance wrote it); past the JSON the event
// is returned with the error too, for logs only.
func DecodeClinicEvent(payload []byte) (ClinicEvent, error) {
	var e ClinicEvent
	if err := json.Unmarshal(payload, &e); err != nil {
		return ClinicEvent{}, fmt.Errorf("decode clinic event: %v: %w", err, ErrInvalid)
	}
	if err := e.Validate(); err != nil {
		return e, err
	}
	if err := unknownFields(payload, &ClinicEvent{}); err != nil {
		return e, fmt.Errorf("decode clinic event: %v: %w", err, ErrUnsupported)
	}
	return e, nil
}
