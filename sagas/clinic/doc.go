// Package clinic owns the one path by which the clinics' side of a
// booking's life reaches the history: a Publisher that callers
// (status callbacks, reconciliation, a feed region's operators through
// broker/bookings) use to write a contracts.ClinicEvent
// to the outbox, and the Applier the runner calls for each event on
// contracts.TopicClinic, which applies it through Store.Update, the same
// path as saga results. The rules it applies are in docs/history.md; each
// has a test here.
package clinic
