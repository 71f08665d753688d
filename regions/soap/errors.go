package soap

import "github.com/fedhealth/federation/contracts"

// faultKinds maps the e-registry's fault codes to the contracts errors.
// PATIENT_NOT_FOUND is "not found": the region does not know the patient,
// a final answer like an unknown slot.
var faultKinds = map[string]error{
	FaultSlotTaken:           contracts.ErrSlotTaken,
	FaultNotAttached:         contracts.ErrNotAttached,
	FaultReferralRequired:    contracts.ErrReferralRequired,
	FaultInvalidRequest:      contracts.ErrInvalid,
	FaultPatientNotFound:     contracts.ErrNotFound,
	FaultSlotNotFound:        contracts.ErrNotFound,
	FaultAppointmentNotFound: contracts.ErrNotFound,
	FaultMISBusy:             contracts.ErrRegionUnavailable,
	FaultMISUnavailable:      contracts.ErrRegionUnavailable,
}

// faultError turns a fault into its contracts error. A code outside the
// vocabulary is an error of kind internal: not the MIS's known answer, so
// never final, and a saga repeating the step resolves it by read-back.
// The fault's text is not quoted: it may name the patient.
func (c *Client) faultError(method string, f *Fault) error {
	if sentinel, ok := faultKinds[f.Code]; ok {
		return c.errorf(method, "%v: %w", f, sentinel)
	}
	return c.errorf(method, "SOAP fault with unknown code %q (%s): the adapter does not know what it means", f.Code, f.FaultCode)
}
