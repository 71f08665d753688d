package sagas

import "github.com/fedhealth/federation/contracts"

// Citizen-facing reasons: the only words a citizen reads about why a booking
// ended as it did. Kept in one place so support staff can find them.
const (
	ReasonSlotTaken        = "This slot was taken by someone else. Please choose another time."
	ReasonHoldExpired      = "The clinic's reservation of this slot expired before the booking was completed. Please choose the slot again."
	ReasonNotAttached      = "You are not attached to this clinic for primary care. Book at the clinic you are attached to, or apply for attachment."
	ReasonReferralRequired = "This specialist sees patients only with a referral from their doctor."
	ReasonSlotUnknown      = "The clinic no longer offers this slot. Please choose another time."
	ReasonRegionBusy       = "The region's medical information system is busier than it can confirm in time. Nothing was booked; please try again in a few minutes."
	ReasonDeadline         = "The region's medical information system did not answer in time. Nothing was booked; please try again later."
	ReasonCancelRefused    = "The clinic did not accept the cancellation; the appointment stands."
	ReasonMISRejected      = "The clinic's system rejected the request. Please try another slot or contact the clinic."
	ReasonAbandoned        = "The booking could not be completed and was stopped by the service. Nothing was booked; please try again."
)

// reasons holds the citizen's words for every kind of error. Only final
// answers (contracts.Kind.Final) end a booking with a reason; the other
// kinds keep the generic sentence so that no kind is ever left without one.
var reasons = map[contracts.Kind]string{
	contracts.KindSlotTaken:        ReasonSlotTaken,
	contracts.KindHoldExpired:      ReasonHoldExpired,
	contracts.KindNotAttached:      ReasonNotAttached,
	contracts.KindReferralRequired: ReasonReferralRequired,
	contracts.KindNotFound:         ReasonSlotUnknown,
	contracts.KindInvalid:          ReasonMISRejected,
	contracts.KindConflict:         ReasonMISRejected,
	contracts.KindUnavailable:      ReasonMISRejected,
	contracts.KindOutcomeUnknown:   ReasonMISRejected,
	contracts.KindUnsupported:      ReasonMISRejected,
	contracts.KindInternal:         ReasonMISRejected,
}

// ReasonFor turns a final MIS answer into the citizen's words, by its kind.
func ReasonFor(err error) string {
	if r, ok := reasons[contracts.KindOf(err)]; ok {
		return r
	}
	return ReasonMISRejected
}
