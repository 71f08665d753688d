package bookings

import "errors"

// Errors of the citizen use cases; contracts' sentinels cover the rest.
var (
	// ErrSlotUnknown: the clinic does not offer the slot (any more).
	ErrSlotUnknown = errors.New("unknown slot")
	// ErrNotCancellable: the booking is in a state that cannot be cancelled.
	ErrNotCancellable = errors.New("booking cannot be cancelled now")
)
