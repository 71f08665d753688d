package misv2

import "encoding/json"

// Canonical is the base of every canonical URL of the contract: its
// NamingSystems, StructureDefinitions, CodeSystems, OperationDefinitions,
// SearchParameters and CapabilityStatement.
const Canonical = "https://fedhealth.github.io/fhir"

// Identifier systems, extensions and code systems of the contract. A system
// that names a federal register uses that register's OID; the contract's
// own systems are https URLs under Canonical, each described by a
// NamingSystem resource (definitions/NamingSystem-*.json, served by an MIS at
// GET /NamingSystem/{id}).
const (
	// IdempotencyKeySystem identifies the key of the $hold call that created
	// an Appointment; search by it to learn whether a hold took effect.
	IdempotencyKeySystem = Canonical + "/NamingSystem/idempotency-key"
	// HoldExpiresExtension carries (valueInstant) when a held Appointment lapses.
	HoldExpiresExtension = Canonical + "/StructureDefinition/hold-expires"
	// ChannelExtension carries (valueString, one of Channels) the channel
	// through which an Appointment listed by period was made, when it was
	// not the broker.
	ChannelExtension = Canonical + "/StructureDefinition/booking-channel"
	// RefusalCodeSystem names the business refusals in OperationOutcome details.
	RefusalCodeSystem = Canonical + "/CodeSystem/booking-refusal"
	// SpecialtySystem is the federal directory of medical specialties, NSI
	// 1.2.643.5.1.13.13.11.1066 "Номенклатура специальностей специалистов
	// со средним, высшим, послевузовским медицинским и фармацевтическим
	// образованием в сфере здравоохранения" of the Ministry of Health
	// (https://nsi.rosminzdrav.ru/dictionaries/1.2.643.5.1.13.13.11.1066),
	// the system EGISZ integrations (FRMR, SEMD, N3) code
	// PractitionerRole.specialty with. Slot.specialty carries its code.
	SpecialtySystem = "urn:oid:1.2.643.5.1.13.13.11.1066"
	// FacilityOIDSystem identifies facilities by their federal registry OID
	// (FRMO, 1.2.643.5.1.13.13.12.2.…): FHIR's system for a URI-valued
	// identifier, the value being "urn:oid:…".
	FacilityOIDSystem = "urn:ietf:rfc:3986"
	// SNILSSystem identifies patients and practitioners by SNILS: the OID
	// 1.2.643.100.3 that EGISZ documents (SEMD patientRole/id root) and
	// qualified certificates use for it.
	SNILSSystem = "urn:oid:1.2.643.100.3"
	// OMSSystem identifies patients by their unified OMS policy number
	// (ЕНП, 16 digits). No federal OID names the number itself (the FFOMS
	// OIDs name its registers of insurers and policy kinds), so it is a
	// system of the contract, described by NamingSystem oms-policy.
	OMSSystem = Canonical + "/NamingSystem/oms-policy"
	// HeaderIdempotencyKey is the header every state-changing call carries.
	HeaderIdempotencyKey = "Idempotency-Key"
	// ContentType is the media type of every request and response body.
	ContentType = "application/fhir+json"
)

// Refusal codes (RefusalCodeSystem) and the HTTP status that carries them.
const (
	RefusalSlotTaken        = "slot-taken"        // 409 on $hold
	RefusalHoldExpired      = "hold-expired"      // 409 on $book
	RefusalNotAttached      = "not-attached"      // 422 on $hold
	RefusalReferralRequired = "referral-required" // 422 on $hold
)

// Appointment.status values used by the contract.
const (
	StatusPending   = "pending" // held, expires at HoldExpiresExtension
	StatusBooked    = "booked"
	StatusCancelled = "cancelled"
	StatusFulfilled = "fulfilled"
	StatusNoShow    = "noshow"
)

// Reference points at another resource ("Location/abc").
type Reference struct {
	Reference string `json:"reference,omitempty"`
	// Type and Identifier make a logical reference: the patient of an
	// appointment listed by period (Type "Patient", SNILSSystem or
	// OMSSystem).
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Identifier is a business identifier with its system.
type Identifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

// Coding is one code from a code system.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a concept given by codes and/or text.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Extension carries a value the base resource has no field for.
type Extension struct {
	URL          string `json:"url"`
	ValueInstant string `json:"valueInstant,omitempty"`
	ValueString  string `json:"valueString,omitempty"`
}

// Address is a postal address.
type Address struct {
	Text string   `json:"text,omitempty"`
	Line []string `json:"line,omitempty"`
	City string   `json:"city,omitempty"`
}

// Slot is a FHIR Slot. Start and End are instants with the region's offset;
// Specialty is coded in SpecialtySystem.
type Slot struct {
	ResourceType string            `json:"resourceType"` // "Slot"
	ID           string            `json:"id"`
	Schedule     Reference         `json:"schedule"`
	Status       string            `json:"status"` // "free" | "busy"
	Start        string            `json:"start"`
	End          string            `json:"end"`
	Specialty    []CodeableConcept `json:"specialty,omitempty"`
}

// Schedule is a FHIR Schedule: a practitioner's calendar at a location.
type Schedule struct {
	ResourceType string            `json:"resourceType"` // "Schedule"
	ID           string            `json:"id"`
	Active       bool              `json:"active"`
	Actor        []Reference       `json:"actor"` // PractitionerRole/…, Location/…
	Specialty    []CodeableConcept `json:"specialty,omitempty"`
}

// PractitionerRole is a FHIR PractitionerRole: a practitioner working in a
// specialty at a location. Practitioner references the Practitioner (who
// carries the SNILS); its Display is the doctor's name as patients see it.
type PractitionerRole struct {
	ResourceType string            `json:"resourceType"` // "PractitionerRole"
	ID           string            `json:"id"`
	Practitioner Reference         `json:"practitioner"`
	Location     []Reference       `json:"location,omitempty"`
	Specialty    []CodeableConcept `json:"specialty,omitempty"`
}

// Practitioner is a FHIR Practitioner: the person, identified by SNILS
// (SNILSSystem), whatever roles and locations they work in.
type Practitioner struct {
	ResourceType string       `json:"resourceType"` // "Practitioner"
	ID           string       `json:"id"`
	Identifier   []Identifier `json:"identifier,omitempty"`
	Name         []HumanName  `json:"name,omitempty"`
}

// HumanName is a person's name; Text is the whole name as written
// ("Фамилия Имя Отчество").
type HumanName struct {
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

// Location is a FHIR Location: a facility.
type Location struct {
	ResourceType string       `json:"resourceType"` // "Location"
	ID           string       `json:"id"`
	Identifier   []Identifier `json:"identifier,omitempty"`
	Name         string       `json:"name"`
	Address      *Address     `json:"address,omitempty"`
}

// HealthcareService is a FHIR HealthcareService offered at a location.
type HealthcareService struct {
	ResourceType string            `json:"resourceType"` // "HealthcareService"
	ID           string            `json:"id"`
	Name         string            `json:"name,omitempty"`
	Location     []Reference       `json:"location,omitempty"`
	Specialty    []CodeableConcept `json:"specialty,omitempty"`
}

// AppointmentParticipant is one participant of an Appointment.
type AppointmentParticipant struct {
	Actor  Reference `json:"actor"`
	Status string    `json:"status"` // "accepted" | "tentative" | "declined"
}

// Appointment is a FHIR Appointment: a hold (status pending) or a booking.
type Appointment struct {
	ResourceType string                   `json:"resourceType"` // "Appointment"
	ID           string                   `json:"id"`
	Status       string                   `json:"status"`
	Identifier   []Identifier             `json:"identifier,omitempty"`
	Slot         []Reference              `json:"slot"`
	Start        string                   `json:"start,omitempty"`
	End          string                   `json:"end,omitempty"`
	Participant  []AppointmentParticipant `json:"participant,omitempty"`
	Extension    []Extension              `json:"extension,omitempty"`
}

// BundleEntry is one resource in a Bundle; Resource holds its JSON.
type BundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource"`
	Search   *BundleSearch   `json:"search,omitempty"`
}

// BundleSearch says why an entry is in a searchset.
type BundleSearch struct {
	Mode string `json:"mode"` // "match" | "include"
}

// Bundle is a FHIR searchset Bundle.
type Bundle struct {
	ResourceType string        `json:"resourceType"` // "Bundle"
	Type         string        `json:"type"`         // "searchset"
	Total        int           `json:"total"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// Parameters is the body of $hold: parameter "slot" (valueReference
// "Slot/{id}") and "patient" (valueIdentifier, once per identifier).
type Parameters struct {
	ResourceType string      `json:"resourceType"` // "Parameters"
	Parameter    []Parameter `json:"parameter"`
}

// Parameter is one named operation parameter.
type Parameter struct {
	Name            string      `json:"name"`
	ValueReference  *Reference  `json:"valueReference,omitempty"`
	ValueIdentifier *Identifier `json:"valueIdentifier,omitempty"`
	ValueString     string      `json:"valueString,omitempty"`
}

// OperationOutcome is how the MIS explains an error.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"` // "OperationOutcome"
	Issue        []Issue `json:"issue"`
}

// Issue is one problem in an OperationOutcome. Code is a FHIR issue type
// ("invalid", "not-found", "conflict", "business-rule", "exception",
// "transient"); Details carries a RefusalCodeSystem coding for refusals.
type Issue struct {
	Severity    string           `json:"severity"` // "error"
	Code        string           `json:"code"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
}

// RefusalCode returns the RefusalCodeSystem code carried by o, or "".
func (o OperationOutcome) RefusalCode() string {
	for _, is := range o.Issue {
		if is.Details == nil {
			continue
		}
		for _, c := range is.Details.Coding {
			if c.System == RefusalCodeSystem {
				return c.Code
			}
		}
	}
	return ""
}
