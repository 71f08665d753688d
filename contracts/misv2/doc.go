// Package misv2 is version 2 (Version, 2.0.0) of the federal contract
// between the broker and a regional MIS: FHIR R4 JSON resources over HTTP,
// described for vendors in openapi.yaml (embedded as OpenAPI) and, in FHIR's
// own terms, by the conformance resources in definitions/ (Definition,
// CanonicalCapabilityStatement). The Go types here are the wire shapes,
// shared by the broker's client (regions/fhir) and the reference simulator
// (regions/missim), so the two cannot drift apart.
//
// Operations, relative to the MIS base URL:
//
//	GET  /metadata                           the MIS's CapabilityStatement (instantiates CapabilityStatementURL)
//	GET  /Slot?status=free&specialty=&practitioner=&location=&start=ge{date}&start=le{date}&_count=
//	GET  /Slot?_id={id}                      one slot, free or not
//	POST /Appointment/$hold                  Parameters{slot, patient identifiers}
//	POST /Appointment/{id}/$book
//	POST /Appointment/{id}/$cancel
//	GET  /Appointment/{id}
//	GET  /Appointment?identifier={IdempotencyKeySystem}|{key}
//	GET  /Appointment?date=ge{from}&date=le{to}  the period's appointments, with their patients
//	GET  /OperationDefinition/{id}           Appointment-hold, Appointment-book, Appointment-cancel
//	GET  /SearchParameter/{id}               Slot-practitioner, Slot-location
//	GET  /NamingSystem/{id}                  idempotency-key, oms-policy
//
// Slot searches return a searchset Bundle whose Slot entries (search.mode
// "match") come with the Schedule, PractitionerRole, Practitioner and
// Location they point to (search.mode "include"). A Slot's specialty is
// Slot.specialty, coded in the federal directory of medical specialties
// (SpecialtySystem); the practitioner's SNILS is on Practitioner, which the
// PractitionerRole references. Every POST carries an Idempotency-Key
// header; a repeat with the same key returns the first result with 200.
// Refusals are OperationOutcome documents whose issue details carry a
// RefusalCodeSystem code (see the Refusal constants).
//
// Identifier systems are registered ones where a federal register exists
// (SNILS, facility OIDs, the specialty directory) and https NamingSystems
// of the contract otherwise (IdempotencyKeySystem, OMSSystem).
//
// Version 1.1 added status callbacks, the one request the MIS sends to the
// broker (callback.go; the webhook appointmentStatus of openapi.yaml): a
// StatusCallback POSTed to {broker}/api/v1/callbacks/{region}, signed in
// the Standard Webhooks manner, for each change made at the clinic;
// version 2.0 left them unchanged. An MIS without callbacks sends none,
// and its history converges by reconciliation, which reads the optional
// period search to import the appointments made through other channels
// (ChannelExtension).
//
// Version 2.0 broke 1.1 where a FHIR reviewer would: the urn:fedhealth:
// systems became NamingSystem URLs, the specialty moved from
// Slot.serviceType (search service-type) to Slot.specialty (search
// specialty) with federal codes, SNILS moved from PractitionerRole to an
// included Practitioner, and the CapabilityStatement, OperationDefinitions
// and SearchParameters were published. The changelog of openapi.yaml lists
// each change and why.
package misv2
