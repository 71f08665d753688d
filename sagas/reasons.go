package sagas

import (
	"errors"

	"github.com/fedhealth/federation/contracts"
)

// Citizen-facing reasons: the only words a citizen reads about why a booking
// ended as it did. Kept in one place so support staff can find them.
const (
	ReasonSlotTaken        = "This slot was taken by someone else. Please choose another time."
	ReasonHoldExpired      = "The clinic's reservation of this slot expired before the booking was completed. Please choose the slot again."
	ReasonNotAttached      = "You are not attached to this clinic for primary care. Book at the clinic you are attached to, or apply for attachment."
	ReasonReferralRequired = "This specialist sees patients only with a referral from their doctor."
	ReasonSlotUnknown      = "The clinic no longer offers this slot. Please choose another time."
	ReasonDeadline         = "The region's medical information system did not answer in time. Nothing was booked; please try again later."
	ReasonCancelRefused    = "The clinic did not accept the cancellation; the appointment stands."
	ReasonMISRejected      = "The clinic's system rejected the request. Please try another slot or contact the clinic."
	ReasonAbandoned        = "The booking could not be completed and was stopped by the service. Nothing was booked; please try again."
)

// ReasonFor turns a final MIS answer into the citizen's words.
func ReasonFor(err error) string {
	switch {
	case errors.Is(err, contracts.ErrSlotTaken):
		return ReasonSlotTaken
	case errors.Is(err, contracts.ErrHoldExpired):
		return ReasonHoldExpired
	case errors.Is(err, contracts.ErrNotAttached):
		return ReasonNotAttached
	case errors.Is(err, contracts.ErrReferralRequired):
		return ReasonReferralRequired
	case errors.Is(err, contracts.ErrNotFound):
		return ReasonSlotUnknown
	}
	return ReasonMISRejected
}
