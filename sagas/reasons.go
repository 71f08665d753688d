package sagas

import (
	"slices"

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
	ReasonRegionBusy       = "The region's medical information system is busier than it can confirm in time. Nothing was booked; please try again in a few minutes."
	ReasonDeadline         = "The region's medical information system did not answer in time. Nothing was booked; please try again later."
	ReasonCancelRefused    = "The clinic did not accept the cancellation; the appointment stands."
	ReasonMISRejected      = "The clinic's system rejected the request. Please try another slot or contact the clinic."
	ReasonAbandoned        = "The booking could not be completed and was stopped by the service. Nothing was booked; please try again."
	// ReasonClinicNoAnswer ends a feed region's booking that no operator
	// confirmed or declined before its deadline.
	ReasonClinicNoAnswer = "The clinic did not confirm the booking in time. Nothing was booked; please choose another slot."
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

// DeclineCode is why a feed region's operator declined a booking: one of
// a fixed set, each with the citizen's sentence, so that nothing typed by
// a person reaches the booking's events. Stored in events and audit
// records: add codes, never rename one.
type DeclineCode string

// The decline codes.
const (
	DeclineSlotUnavailable    DeclineCode = "slot_unavailable"
	DeclinePractitionerAbsent DeclineCode = "practitioner_absent"
	DeclineNotEligible        DeclineCode = "not_eligible"
	DeclineDuplicate          DeclineCode = "duplicate"
	DeclineOther              DeclineCode = "other"
)

// declineReasons are the citizen's words for each decline code.
var declineReasons = map[DeclineCode]string{
	DeclineSlotUnavailable:    "The clinic can no longer offer this slot. Nothing was booked; please choose another time.",
	DeclinePractitionerAbsent: "The doctor cannot see patients at that time. Nothing was booked; please choose another time or doctor.",
	DeclineNotEligible:        "The clinic cannot accept this booking for you (attachment, referral or age). Nothing was booked; please contact the clinic.",
	DeclineDuplicate:          "The clinic already has an appointment for you for this. Nothing new was booked.",
	DeclineOther:              "The clinic declined the booking. Nothing was booked; please choose another slot or contact the clinic.",
}

// DeclineReason is the citizen's sentence for code; false for a code not
// in the set.
func DeclineReason(code DeclineCode) (string, bool) {
	r, ok := declineReasons[code]
	return r, ok
}

// DeclineReasonCode is the reason code of a decline (see Text): the
// decline code with a "declined_" prefix, so that "other" stays unique.
func DeclineReasonCode(code DeclineCode) string { return "declined_" + string(code) }

// DeclineCodes lists the decline codes, sorted.
func DeclineCodes() []DeclineCode {
	codes := make([]DeclineCode, 0, len(declineReasons))
	for c := range declineReasons {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}
