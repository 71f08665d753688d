// Package reconcile keeps the broker's booking history converging with
// what the regions' MIS hold. It owns two things over one set of
// difference kinds:
//
//   - Compare, the drills' invariant check: every appointment of a
//     simulator against every booking (bookings that never ended, double
//     bookings, holds left behind, bookings the two sides disagree about);
//   - Pass, the reconciliation pass of serve and "federation reconcile":
//     one region's bookings, each read back at its MIS (by appointment id,
//     or by the patient the booking keeps sealed where the MIS reads only
//     that way), each difference reported and, where the MIS's state
//     implies a clinic change, repaired by publishing that ClinicEvent
//     (origin reconciliation) through the outbox. The rules of what is
//     repaired are in docs/history.md, "Reconciliation".
//
// It works on contract types only, so any MIS adapter can feed it: an
// appointment (contracts.Appointment) belongs to the booking whose hold
// created it, named by the hold's idempotency key (contracts.StepKey of the
// booking id and contracts.StepHold).
package reconcile
