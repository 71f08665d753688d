// Package jsonrpc is the "jsonrpc" region kind: a contracts.MIS over a
// JSON-RPC 2.0 API on HTTP POST, MODELLED ON the Moscow city API (EMIAS)
// method set as community clients use it. The city's own description is
// not public; openrpc.json beside this file is this project's OpenRPC
// document of the style, and wire.md explains it.
//
// Methods: getAvailableResourceScheduleInfo (slots by specialty, resource,
// organisation and local date range, times in the region's offset),
// createAppointment (the patient by OMS policy and birth date, the slot
// by resource and start and end time) -> appointment id,
// cancelAppointment(appointmentId), shiftAppointment(appointmentId, new
// slot), and getAppointmentReceptionsByPatient (OMS and birth date -> the
// patient's appointments), the only read-back. The API has no slot ids;
// SlotID names a slot by its resource, start and length.
//
// # Which guarantee comes from where
//
// The API has no hold and no idempotency keys; the adapter supplies them,
// as regions/soap does.
//
//   - Hold: there is none at the MIS, so Hold IS the booking
//     (createAppointment). A "hold" of this kind is an appointment the
//     clinic sees at once; it never lapses by itself (HoldExpires is zero)
//     and is released by cancelling it: the saga's compensation (Cancel of
//     a hold) cancels the real appointment. Book only reads back that the
//     appointment still stands.
//   - Idempotency: the Ledger (sagas/ledger) records the intent (key,
//     region, slot, a one-way patient reference) BEFORE createAppointment
//     and the appointment id after it. A repeated Hold with a recorded id
//     never calls the MIS; with only an intent (the previous answer was
//     lost) it reads back (getAppointmentReceptionsByPatient, matched by
//     resource and start) and records what it finds; only when that shows
//     nothing live on the slot is createAppointment called again. Within
//     one process the calls of one key are serialised; across instances a
//     second Begin loses and gets ErrConflict.
//   - Unknown outcome: a transport error, timeout, truncated or unreadable
//     answer, or internal error (-32603) of createAppointment,
//     cancelAppointment or shiftAppointment is ErrOutcomeUnknown, resolved
//     by read-back, never by guessing. cancelAppointment is idempotent at
//     the MIS, so its repeat is safe.
//   - Retries: only the two reads are retried (regions/mishttp, the HTTP
//     plumbing every kind shares);
//     createAppointment never is, since the MIS cannot tell a repeat from
//     a second booking.
//   - No double booking of one slot comes from the MIS (one live
//     appointment per slot, slot taken otherwise).
//   - Privacy: the ledger holds patientRef, an HMAC of OMS and birth date,
//     never the identifiers; error messages and data from the MIS are
//     never quoted in errors.
//
// # What needs the patient
//
// The API reads appointments back only by patient (OMS policy and birth
// date). The adapter keeps no patient, in memory or on disk: the port's
// FindHold and Book take the HoldRequest that made the hold, patient
// included, which the booking saga keeps sealed until its compensation has
// finished. So a read-back works the same in the instance that made the
// hold, another instance, or one restarted since. cancelAppointment names
// only the appointment, so Cancel (a cancellation after the patient is
// erased) needs none. When the request carries no patient (a booking whose
// identifiers were erased before this rule):
//
//   - FindHold with a recorded appointment answers from the ledger (the
//     appointment id, status held), enough to book or cancel it; with
//     only an intent it cannot tell whether the lost call took effect and
//     answers ErrOutcomeUnknown, never ErrNotFound. A Hold repeated with
//     the key (it carries the patient) resolves it.
//   - Book answers booked from what Hold made, without read-back: a
//     clinic's cancellation between Hold and Book is then not seen.
//
// A FindHold whose patient or slot is not the one the key's Hold recorded
// (compared through patientRef) is ErrInvalid: the key cannot be used to
// read another patient's appointments.
//
// Also: a patient's other live appointment on the very same slot (another
// booking of the same citizen) is indistinguishable in the read-back from
// the lost one and shared; it takes the same citizen booking the same slot
// twice while the first answer is lost.
//
// Error objects map to contracts errors by their code (errors.go); a code
// outside that vocabulary is an error of kind internal. Answers are
// bounded by size (Config.MaxBody) and time (Config.CallTimeout); a
// batch, another call's id, both or neither of result and error, and
// malformed or truncated JSON are ErrNotJSONRPC.
package jsonrpc
