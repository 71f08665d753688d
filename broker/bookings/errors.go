package bookings

import (
	"errors"

	"github.com/fedhealth/federation/contracts"
)

// Errors of the citizen use cases; contracts' sentinels cover the rest.
var (
	// ErrSlotUnknown: the clinic does not offer the slot (any more).
	ErrSlotUnknown = contracts.NewError(contracts.KindNotFound, "unknown slot")
	// ErrNotCancellable: the booking is in a state that cannot be cancelled.
	ErrNotCancellable = contracts.NewError(contracts.KindConflict, "booking cannot be cancelled now")
	// ErrPatientErased: the booking no longer awaits its operator, so the
	// patient's identifiers were erased.
	ErrPatientErased = contracts.NewError(contracts.KindConflict, "the patient's identifiers are erased")
)

// InvalidError is a request the citizen must fix, with the words that say
// how. Its text is fixed by the code that returns it: it is shown to the
// caller as the problem's detail, so it never quotes the caller's input or
// anything internal. It is a contracts.ErrInvalid for errors.Is and KindOf.
type InvalidError struct{ detail string }

// Invalid returns an InvalidError whose detail is the fixed text detail.
func Invalid(detail string) error { return &InvalidError{detail: detail} }

func (e *InvalidError) Error() string { return e.detail }

// Unwrap makes the error a contracts.ErrInvalid.
func (e *InvalidError) Unwrap() error { return contracts.ErrInvalid }

// PublicDetail is the text a client may read.
func (e *InvalidError) PublicDetail() string { return e.detail }

// RegionError is a failure of one region's MIS: the region's code (which
// a citizen may be told) beside the cause (which only the log may show).
type RegionError struct {
	Region string
	Err    error
}

func (e *RegionError) Error() string { return "region " + e.Region + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *RegionError) Unwrap() error { return e.Err }

// inRegion wraps err as the failure of region's MIS.
func inRegion(region string, err error) error { return &RegionError{Region: region, Err: err} }

// RegionOf returns the region whose MIS err is a failure of, if any.
func RegionOf(err error) (string, bool) {
	var re *RegionError
	if errors.As(err, &re) {
		return re.Region, true
	}
	return "", false
}
