// Package sagas owns the life of a booking on the broker's side: the Booking
// record that is both the saga's durable state and the citizen's history
// entry, the transitions it may make, the citizen-facing reasons, and the
// Store port that persists bookings together with the outbox messages each
// transition emits (one transaction, so state and messages never disagree).
//
// The sagas that drive a Booking live in subpackages (booking, cancellation);
// the messaging runtime that delivers their commands over Kafka lives in bus
// and runner; the SQL implementation of Store lives in store.
package sagas
