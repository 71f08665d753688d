package wire

// Extension URLs of the specification. The 2021 pilot published them under
// fhir-registry.smarthealthit.org, the HL7 guide under hl7.org; publishers
// use either, so readers accept both and writers use the pilot's, which
// deployed publishers still send.
const (
	BookingDeepLinkExtension    = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
	BookingPhoneExtension       = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone"
	CapacityExtension           = "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity"
	HL7BookingDeepLinkExtension = "http://hl7.org/fhir/uv/smart-scheduling-links/StructureDefinition/booking-deep-link"
	HL7BookingPhoneExtension    = "http://hl7.org/fhir/uv/smart-scheduling-links/StructureDefinition/booking-phone"
	HL7CapacityExtension        = "http://hl7.org/fhir/uv/smart-scheduling-links/StructureDefinition/slot-capacity"
)

// Slot statuses a feed publishes.
const (
	StatusFree = "free"
	StatusBusy = "busy"
)

// Reference points at another resource ("Location/123").
type Reference struct {
	Reference string `json:"reference"`
	Display   string `json:"display,omitempty"`
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

// ContactPoint is one telecom entry; the specification requires phones.
type ContactPoint struct {
	System string `json:"system"` // "phone", "url", ...
	Value  string `json:"value"`
}

// Address is a postal address (the specification's USPS "complete
// address"; Russian publishers fill line and city, state with the region).
type Address struct {
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	District   string   `json:"district,omitempty"`
}

// Extension carries a value the base resource has no field for: a
// booking deep link (valueUrl), a booking phone (valueString) or a
// capacity (valueInteger).
type Extension struct {
	URL          string `json:"url"`
	ValueURL     string `json:"valueUrl,omitempty"`
	ValueString  string `json:"valueString,omitempty"`
	ValueInteger *int   `json:"valueInteger,omitempty"`
}

// Location is a physical place where appointments happen: a facility.
type Location struct {
	ResourceType string         `json:"resourceType"` // "Location"
	ID           string         `json:"id"`
	Identifier   []Identifier   `json:"identifier,omitempty"`
	Name         string         `json:"name"`
	Telecom      []ContactPoint `json:"telecom"`
	Address      *Address       `json:"address,omitempty"`
	Description  string         `json:"description,omitempty"`
}

// Schedule is the calendar of one service at one place. Actor names the
// Location and, when the publisher knows it, the PractitionerRole (or a
// HealthcareService) the slots belong to; ServiceType names the specialty.
type Schedule struct {
	ResourceType string            `json:"resourceType"` // "Schedule"
	ID           string            `json:"id"`
	Actor        []Reference       `json:"actor"`
	ServiceType  []CodeableConcept `json:"serviceType"`
}

// Slot is one free or busy interval of a Schedule. Start and End are ISO
// 8601 instants with the place's offset.
type Slot struct {
	ResourceType string      `json:"resourceType"` // "Slot"
	ID           string      `json:"id"`
	Schedule     Reference   `json:"schedule"`
	Status       string      `json:"status"` // "free" | "busy"
	Start        string      `json:"start"`
	End          string      `json:"end"`
	Extension    []Extension `json:"extension,omitempty"`
}
