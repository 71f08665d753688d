package bookings

import "github.com/fedhealth/federation/contracts"

// Errors of the citizen use cases; contracts' sentinels cover the rest.
var (
	// ErrSlotUnknown: the clinic does not offer the slot (any more).
	ErrSlotUnknown = contracts.NewError(contracts.KindNotFound, "unknown slot")
	// ErrNotCancellable: the booking is in a state that cannot be cancelled.
	ErrNotCancellable = contracts.NewError(contracts.KindConflict, "booking cannot be cancelled now")
)
