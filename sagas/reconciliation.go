package sagas

import "time"

// ReconcilePass is the outcome of one region's reconciliation pass
// (sagas/reconcile), as the store keeps the last one for operators.
type ReconcilePass struct {
	Region     string
	StartedAt  time.Time
	FinishedAt time.Time
	// Checked bookings were compared with the MIS; Found differences were
	// reported, Repaired of them by a clinic event.
	Checked, Found, Repaired int
	// Error says why the pass stopped early; empty when it ran through.
	Error string
}
