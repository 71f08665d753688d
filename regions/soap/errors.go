package soap

import (
	"errors"

	"github.com/fedhealth/federation/contracts"
)

// faultKinds maps the e-registry's fault codes to the contracts errors.
// PATIENT_NOT_FOUND is "not found": the region does not know the patient,
// a final answer like an unknown slot; so is MO_NOT_FOUND, an organisation
// the region does not have. SESSION_EXPIRED is the region's: the MIS
// forgot or expired a session it gave, refused the call and changed
// nothing; CreateAppointment opens a new session and repeats once
// (appointments.go), every other call reports it.
var faultKinds = map[string]error{
	FaultSlotTaken:           contracts.ErrSlotTaken,
	FaultNotAttached:         contracts.ErrNotAttached,
	FaultReferralRequired:    contracts.ErrReferralRequired,
	FaultInvalidRequest:      contracts.ErrInvalid,
	FaultPatientNotFound:     contracts.ErrNotFound,
	FaultSlotNotFound:        contracts.ErrNotFound,
	FaultAppointmentNotFound: contracts.ErrNotFound,
	FaultMONotFound:          contracts.ErrNotFound,
	FaultSessionExpired:      contracts.ErrRegionUnavailable,
	FaultMISBusy:             contracts.ErrRegionUnavailable,
	FaultMISUnavailable:      contracts.ErrRegionUnavailable,
}

// faultError turns a fault into its contracts error. A code outside the
// vocabulary is an error of kind internal: not the MIS's known answer, so
// never final, and a saga repeating the step resolves it by read-back.
// The fault's text is not quoted: it may name the patient.
func (c *Client) faultError(method string, f *Fault) error {
	if sentinel, ok := faultKinds[f.Code]; ok {
		return c.errorf(method, "%w: %w", f, sentinel) // the Fault too, so callers can tell its code
	}
	return c.errorf(method, "SOAP fault with unknown code %q (%s): the adapter does not know what it means", f.Code, f.FaultCode)
}

// isFault reports whether err is the MIS's fault with code.
func isFault(err error, code string) bool {
	var f *Fault
	return errors.As(err, &f) && f.Code == code
}
