// Package callbacks owns the broker's side of status callbacks: the MIS of
// a region tells the broker that an appointment changed at the clinic
// (cancelled, moved, visited, no-show, booked through another channel), and
// the broker turns each authenticated request into one contracts.ClinicEvent
// published through the one path of clinic changes (sagas/clinic.Publisher;
// the rules of docs/history.md decide what it does to the history).
//
// It owns the verification (Standard Webhooks HMAC-SHA256 headers over the
// body, several secrets per region for rotation, a 5-minute window; the
// spec's own Go library does the signing arithmetic), the durable replay
// store (the answer to each verified webhook-id, per region, replayed byte
// for byte to a repeat; swept after a TTL), the count of refusals per
// region and reason (metric federation_callbacks_rejected_total, and
// broker/regionstatus's table that `federation regions status` reads), and
// the HTTP handler. Each region kind that sends callbacks has a Dialect: the
// JSON body of contract misv2 1.1 (fhir regions, JSONDialect) and SOAP's
// UpdateAppointmentStatus (soap regions: cmd builds it from regions/soap,
// which the broker may not import). Both are authenticated by the same
// headers and the same code.
//
// The patient identifiers of a booked_elsewhere callback are turned into
// patient keys (auth.Pseudonymizer.PatientKeys) at once; they are never
// stored or logged.
package callbacks
