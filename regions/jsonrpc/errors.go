package jsonrpc

import "github.com/fedhealth/federation/contracts"

// codeKinds maps the API's error codes (openrpc.json) to the contracts
// errors. PATIENT_UNKNOWN is "invalid": the OMS policy and birth date do
// not name a patient of the region, which a repeat cannot change.
// Internal error is not here: after a state-changing call it may follow a
// commit (rpcError).
var codeKinds = map[int]error{
	CodeSlotTaken:          contracts.ErrSlotTaken,
	CodeNotAttached:        contracts.ErrNotAttached,
	CodeReferralRequired:   contracts.ErrReferralRequired,
	CodePatientUnknown:     contracts.ErrInvalid,
	CodeAppointmentUnknown: contracts.ErrNotFound,
	CodeSlotUnknown:        contracts.ErrNotFound,
	CodeBusy:               contracts.ErrRegionUnavailable,
	CodeParseError:         contracts.ErrInvalid,
	CodeInvalidRequest:     contracts.ErrInvalid,
	CodeMethodNotFound:     contracts.ErrInvalid,
	CodeInvalidParams:      contracts.ErrInvalid,
}

// Codes lists every error code the adapter knows, for the test that holds
// it to openrpc.json.
func Codes() []int {
	out := []int{CodeInternalError}
	for code := range codeKinds {
		out = append(out, code)
	}
	return out
}

// rpcError turns an error object into its contracts error. Internal error
// is the MIS failing: after a state-changing call perhaps once it had
// committed, so the outcome is unknown; after a read the region is
// unavailable. A code outside the vocabulary is an error of kind internal:
// not the MIS's known answer, so never final, and a saga repeating the
// step resolves it by read-back. The error's message and data are not
// quoted: they may name the patient.
func (c *Client) rpcError(method string, e *Error) error {
	if e.Code == CodeInternalError {
		if changes(method) {
			return c.errorf(method, "%v (internal error): %w", e, contracts.ErrOutcomeUnknown)
		}
		return c.errorf(method, "%v (internal error): %w", e, contracts.ErrRegionUnavailable)
	}
	if sentinel, ok := codeKinds[e.Code]; ok {
		return c.errorf(method, "%v: %w", e, sentinel)
	}
	return c.errorf(method, "%v with an unknown code: the adapter does not know what it means", e)
}
