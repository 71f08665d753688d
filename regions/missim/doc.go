// Package missim is the reference regional MIS: an in-memory simulator that
// implements contract misv1 (slot search, hold, book, cancel, read, find by
// hold key) over HTTP, with seeded, realistic data in the region's time zone.
//
// It owns three things: the behaviour vendors read as the reference (holds
// that expire, idempotent repeats per Idempotency-Key, never two live
// appointments on one slot), a fault injector for the broker's resilience
// tests (down, latency, errors, answers lost after commit), and admin
// endpoints that show every hold and appointment ever made.
//
// The admin endpoints (/admin/...) are for tests and demos: they sit outside
// the contract's bearer-token check and the fault injector, behind their own
// rule (see Config.AdminToken): with an admin token, every caller must
// present it; without one, only callers on the loopback interface get in.
package missim
