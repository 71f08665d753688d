// Package rpcsim simulates a regional MIS of the city JSON-RPC style
// (regions/jsonrpc): the same methods, parameters, results and error
// codes, as described by regions/jsonrpc's OpenRPC document, which it
// answers rpc.discover (and GET /) with. Like the API it is modelled on,
// it has no hold, no idempotency and no slot ids: createAppointment books
// a resource's interval at once, a repeat of it is refused as slot taken,
// and the only way to learn the outcome of a lost call is the read-back
// getAppointmentReceptionsByPatient, by OMS policy and birth date.
//
// It serves missim's seeded region (missim.Directory and missim.SlotStarts:
// the same polyclinics with registry OIDs, doctors with specialties and
// slots on working days in the region's time zone as the FHIR simulator
// of the same seed) under this style's ids, a patient
// register (an OMS policy is bound to the birth date it first came with;
// another birth date with it is an unknown patient), one live appointment
// per slot, a fault injector (down, latency, error rate, read error rate,
// commit-then-no-answer, commit-then-error: the same Faults as missim) and
// missim's admin endpoints (missim.AdminHandler: /admin/appointments in
// missim's admin view, /admin/faults, and the clinic's changes, which this
// style reports to nobody: its region converges by reconciliation), behind
// the same rule: the admin token when configured, else loopback only.
package rpcsim
