// Package missim is the reference regional MIS: an in-memory simulator that
// implements contract misv2 (slot search, hold, book, cancel, read, find by
// hold key) over HTTP, with seeded, realistic data in the region's time zone.
//
// It owns three things: the behaviour vendors read as the reference (holds
// that expire, idempotent repeats per Idempotency-Key, never two live
// appointments on one slot), a fault injector for the broker's resilience
// tests (down, latency, errors, answers lost after commit), and admin
// endpoints that show every hold and appointment ever made. The fault and
// admin shapes (Faults, AdminAppointment, the Admin surface and its
// AdminHandler) are shared by the other styles' simulators (soapsim,
// rpcsim), so tests and drills drive every kind alike.
//
// The clinic's side is shared too (callbacks.go, ClinicAdmin): the admin
// endpoints make changes at the MIS (POST /admin/appointments/{id}/status:
// cancelled, moved, visited, no-show) and book through "another channel"
// (POST /admin/appointments), and a Notifier reports each to the broker as
// the kind does (this simulator: contract 1.1's signed StatusCallback),
// with faults that drop or duplicate callbacks.
//
// The admin endpoints (/admin/...) are for tests and demos: they sit outside
// the contract's bearer-token check and the fault injector, behind their own
// rule (see Config.AdminToken): with an admin token, every caller must
// present it; without one, only callers on the loopback interface get in.
package missim
