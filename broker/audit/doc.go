// Package audit owns the audit trail of the federation broker: one Record
// per access to a citizen's personal data (reading, listing, requesting or
// cancelling bookings through the API) and per operator action (saga
// retry and abandon, dead-letter retry), saying who, what, when, which
// booking, with what outcome and under which correlation id.
//
// The trail lives in its own table, audit_records, with its own migrations
// (see Migrate), in the database the other stores share. It is append-only:
// Store has no method that changes or removes a record, and triggers in
// both SQLite and PostgreSQL refuse any UPDATE or DELETE (and TRUNCATE on
// PostgreSQL) that reaches the table by other means. Retention is not
// deletion by the broker: archiving and dropping old records is a DBA's job
// under a database role of its own, outside this code.
//
// No personal identifier appears in clear: a citizen is recorded only as
// the keyed pseudonym their bookings are stored under (never the identity
// provider's subject, SNILS or OMS), the caller's network address only as
// its class (loopback, private, public), and free text an operator types
// is refused when it looks like a SNILS or OMS number.
//
// Each record is also copied to the Kafka topic Topic for the security
// team's tools. The table is the source of truth and the topic a copy fed
// from it: Append writes the record and a row of the audit outbox in one
// transaction, and a relay (sagas/bus.Relay over the Store) publishes the
// copies at least once, so a record is never lost while Kafka is down; it
// reaches the topic once Kafka is back.
package audit
