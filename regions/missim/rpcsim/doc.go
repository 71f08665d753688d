// Package rpcsim simulates a regional MIS of the city JSON-RPC style
// (regions/jsonrpc): the same methods, parameters, results and error
// codes, as described by regions/jsonrpc's OpenRPC document, which it
// answers rpc.discover (and GET /) with. Like the API it is modelled on,
// it has no hold, no idempotency and no slot ids: createAppointment books
// a resource's interval at once, a repeat of it is refused as slot taken,
// and the only way to learn the outcome of a lost call is the read-back
// getAppointmentReceptionsByPatient, by OMS policy and birth date.
//
// It owns seeded data in the manner of regions/missim (polyclinics with
// registry OIDs, practitioners with specialties from missim's directory,
// slots on working days in the region's time zone; its own small
// generator, since missim's is internal to that package), a patient
// register (an OMS policy is bound to the birth date it first came with;
// another birth date with it is an unknown patient), one live appointment
// per slot, a fault injector (down, latency, error rate, read error rate,
// commit-then-no-answer, commit-then-error: the same Faults as missim) and
// the admin endpoints /admin/appointments and /admin/faults, behind the
// same rule as missim's: the admin token when configured, else loopback
// only.
package rpcsim
