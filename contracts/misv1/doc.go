// Package misv1 is version 1 of the federal contract between the broker and
// a regional MIS: FHIR R4-shaped JSON resources over HTTP, described for
// vendors in openapi.yaml (embedded as OpenAPI). The Go types here are the
// wire shapes, shared by the broker's client (regions/fhir) and the
// reference simulator (regions/missim), so the two cannot drift apart.
//
// Operations, relative to the MIS base URL:
//
//	GET  /Slot?status=free&service-type=&practitioner=&location=&start=ge{date}&start=le{date}&_count=
//	GET  /Slot?_id={id}                      one slot, free or not
//	POST /Appointment/$hold                  Parameters{slot, patient identifiers}
//	POST /Appointment/{id}/$book
//	POST /Appointment/{id}/$cancel
//	GET  /Appointment/{id}
//	GET  /Appointment?identifier={IdempotencyKeySystem}|{key}
//
// Slot searches return a searchset Bundle whose Slot entries (search.mode
// "match") come with the Schedule, PractitionerRole and Location they point
// to (search.mode "include"). Every POST carries an Idempotency-Key header;
// a repeat with the same key returns the first result with 200. Refusals are
// OperationOutcome documents whose issue details carry a RefusalCodeSystem
// code (see the Refusal constants).
package misv1
