// Package soap is the "soap" region kind: a contracts.MIS over an HTTP
// SOAP 1.1 service MODELLED ON the federal e-registry method set that the
// federal concentrator calls on regional MIS (namespace
// http://www.rt-eu.ru/med/er/v2_0, a SOAPAction per method). The official
// WSDL/XSD are not public; eregistry.wsdl beside this file is this
// project's description of the style, and wire.md explains it.
//
// Methods, in the style's call order: GetPatientInfo (OMS, SNILS, birth
// date -> Session_ID), GetMOInfoExtended (the region's organisations, by
// registry OID), GetServicePostSpecsInfo (an organisation's posts and
// their practitioners), GetScheduleInfo (one organisation's slots with
// Slot_Id, times in the region's offset),
// CreateAppointment(Session_ID, Slot_Id) -> Book_Id, CancelAppointment
// (Book_Id), and two reads of this project's design: GetPatientAppointments
// (the session's appointments, or one by Book_Id) and
// GetAppointmentsByPeriod (every appointment of a period with its patient,
// which reconciliation reads to import the bookings made elsewhere).
//
// # Which guarantee comes from where
//
// The style has no hold and no idempotency keys; the adapter supplies them.
//
//   - Hold: there is none at the MIS, so Hold IS the booking
//     (GetPatientInfo + CreateAppointment). A "hold" of this kind is an
//     appointment the clinic sees at once; it never lapses by itself
//     (HoldExpires is zero) and is released by cancelling it: the saga's
//     compensation (Cancel of a hold) cancels the real appointment. Book
//     only reads back that the appointment still stands.
//   - Idempotency: the Ledger (sagas/ledger) records the intent (key,
//     region, slot, session) BEFORE CreateAppointment and the Book_Id after
//     it. A repeated Hold with a recorded Book_Id never calls the MIS; with
//     only an intent (the previous answer was lost) it reads back
//     (GetPatientAppointments by session, matched by Slot_Id) and records
//     what it finds; only when that shows nothing on the slot is
//     CreateAppointment called again. Within one process the calls of one
//     key are serialised; across instances a second Begin loses and gets
//     ErrConflict.
//   - Unknown outcome: a transport error, timeout, truncated or unreadable
//     answer of CreateAppointment or CancelAppointment is ErrOutcomeUnknown,
//     resolved by read-back, never by guessing. CancelAppointment is
//     idempotent at the MIS, so its repeat is safe.
//   - FindHold answers from the ledger (and the read-back when only an
//     intent is recorded); ErrNotFound when nothing was made for the key.
//   - Retries: only the safe reads (the directory, GetScheduleInfo,
//     GetPatientAppointments, GetAppointmentsByPeriod) are retried (regions/mishttp, the HTTP plumbing every kind shares);
//     CreateAppointment never is,
//     since the MIS cannot tell a repeat from a second booking.
//   - No double booking of one slot comes from the MIS (one live
//     appointment per slot, SLOT_TAKEN otherwise).
//   - Privacy: the ledger holds the MIS's session token, never SNILS, OMS
//     or birth date; fault texts are never quoted in errors.
//
// # Searching a region
//
// GetScheduleInfo answers for one organisation, as the e-registry does.
// A search without a facility lists the organisations first
// (GetMOInfoExtended, cached five minutes: directory.go), asks each for
// its slots, at most four at once, and merges them by start; one
// organisation's failure fails the search rather than shorten it
// silently.
//
// # Sessions
//
// A Session_ID lives as long as the MIS keeps it; a call with one it no
// longer knows is the fault SESSION_EXPIRED, which changed nothing.
// CreateAppointment then opens a new session and repeats once; every
// other call reports it as the region's unavailability.
//
// SOAP faults map to contracts errors by their Error_Code (errors.go); a
// code outside that vocabulary is an error of kind internal. Answers are
// bounded by size (Config.MaxBody) and time (Config.CallTimeout).
package soap
