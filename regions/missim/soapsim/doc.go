// Package soapsim simulates a regional MIS of the e-registry SOAP style
// (regions/soap): the same method set, messages and faults, as described
// by regions/soap's WSDL, which it serves at ?wsdl. Like the style it is
// modelled on, it has no hold and no idempotency: CreateAppointment books
// at once, a repeat of it is refused SLOT_TAKEN, and the only way to learn
// the outcome of a lost call is the read-back GetPatientAppointments.
//
// It owns seeded data in the manner of regions/missim (polyclinics with
// registry OIDs, practitioners with specialties from missim's directory,
// slots on working days in the region's time zone; its own small
// generator, since missim's is internal to that package), one live
// appointment per slot, a fault injector (down, latency, error rate, read
// error rate, commit-then-no-answer: the same Faults as missim) and the
// admin endpoints /admin/appointments and /admin/faults, behind the same
// rule as missim's: the admin token when configured, else loopback only.
package soapsim
