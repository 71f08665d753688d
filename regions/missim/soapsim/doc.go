// Package soapsim simulates a regional MIS of the e-registry SOAP style
// (regions/soap): the same method set, messages and faults, as described
// by regions/soap's WSDL, which it serves at ?wsdl. Like the style it is
// modelled on, it has no hold and no idempotency: CreateAppointment books
// at once, a repeat of it is refused SLOT_TAKEN, and the only way to learn
// the outcome of a lost call is the read-back GetPatientAppointments.
//
// It serves missim's seeded region (missim.Directory and missim.SlotStarts:
// the same polyclinics with registry OIDs, doctors with specialties and
// slots on working days in the region's time zone as the FHIR simulator
// of the same seed) under this style's ids: the polyclinics are the
// organisations of GetMOInfoExtended, their doctors the resources of
// GetServicePostSpecsInfo under their posts, and GetScheduleInfo answers
// one organisation's schedule (MO_OID required unless Slot_Id is given).
// A Session_ID lives Config.SessionTTL (20 minutes by default); a call
// with an older or unknown one is the fault SESSION_EXPIRED and changes
// nothing. One live
// appointment per slot, a fault injector (down, latency, error rate, read
// error rate, commit-then-no-answer, commit-then-error: the same Faults as
// missim) and missim's admin endpoints (missim.AdminHandler:
// /admin/appointments in missim's admin view, /admin/faults, and the
// clinic's changes, each reported to the broker by a signed
// UpdateAppointmentStatus), behind the same rule: the admin token when
// configured, else loopback only.
package soapsim
