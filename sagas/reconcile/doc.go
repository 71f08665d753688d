// Package reconcile compares the broker's booking history with what the
// regions' MIS hold and names every difference: bookings that never ended,
// double bookings, holds left behind, and bookings the two sides disagree
// about. The drills check their invariants with it; reconciliation reports
// (and later repairs) each difference it returns.
//
// It works on contract types only, so any MIS adapter can feed it: an
// appointment (contracts.Appointment) belongs to the booking whose hold
// created it, named by the hold's idempotency key (contracts.StepKey of the
// booking id and contracts.StepHold).
package reconcile
