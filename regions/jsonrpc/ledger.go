package jsonrpc

import "context"

// Ledger is the durable record of which MIS appointment answers which saga
// step, the piece of state this API lacks (sagas/ledger implements it over
// SQL; the same port as regions/soap's). Entries are keyed by (region,
// step key); they hold the slot, a reference and, once known, the
// appointment id. This adapter's reference is a one-way digest of the
// patient (patientRef), never the OMS policy or birth date themselves.
//
// Implementations are safe for concurrent use, also from several broker
// instances sharing one database. A store that cannot be written returns
// an error wrapping contracts.ErrStoreUnavailable.
type Ledger interface {
	// Begin records the intent of step key before the MIS is called:
	// created is true when this call inserted it, false when an entry for
	// (region, key) already existed, which it leaves unchanged.
	Begin(ctx context.Context, region, key, slotID, ref string) (created bool, err error)
	// Done records the appointment id the MIS gave for step key. Recording
	// the same id again changes nothing; another id for a done step is an
	// error wrapping contracts.ErrConflict; an unknown key wraps
	// contracts.ErrNotFound.
	Done(ctx context.Context, region, key, appointmentID string) error
	// Get returns the entry of step key; appointmentID is "" while only the
	// intent is recorded. An unknown key wraps contracts.ErrNotFound.
	Get(ctx context.Context, region, key string) (slotID, ref, appointmentID string, err error)
}
