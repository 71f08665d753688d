package missim

import (
	"net/http"

	"github.com/fedhealth/federation/contracts/misv2"
)

// opError is an answer other than success; it becomes an OperationOutcome
// in exactly one place (writeError).
type opError struct {
	status  int
	code    string // FHIR issue type
	refusal string // misv2 refusal code, "" for technical errors
	msg     string
}

func (e *opError) Error() string { return e.msg }

// stored reports whether the answer is a decision that a repeat with the
// same Idempotency-Key must see again. Invalid requests and unknown targets
// are not: the caller may fix the request and reuse the key.
func (e *opError) stored() bool { return e.refusal != "" }

func errInvalid(msg string) *opError {
	return &opError{status: http.StatusBadRequest, code: "invalid", msg: msg}
}

func errNotFound(msg string) *opError {
	return &opError{status: http.StatusNotFound, code: "not-found", msg: msg}
}

func errKeyReused() *opError {
	return &opError{status: http.StatusUnprocessableEntity, code: "business-rule",
		msg: "Idempotency-Key was already used for another operation or target"}
}

func errRefusal(status int, code, msg string) *opError {
	issue := "business-rule"
	if status == http.StatusConflict {
		issue = "conflict"
	}
	return &opError{status: status, code: issue, refusal: code, msg: msg}
}

var (
	errSlotTaken   = errRefusal(http.StatusConflict, misv2.RefusalSlotTaken, "the slot is already held or booked")
	errHoldExpired = errRefusal(http.StatusConflict, misv2.RefusalHoldExpired, "the hold expired or was released")
	errNotAttached = errRefusal(http.StatusUnprocessableEntity, misv2.RefusalNotAttached,
		"the patient is not attached to this facility")
	errReferralRequired = errRefusal(http.StatusUnprocessableEntity, misv2.RefusalReferralRequired,
		"a referral is required for this specialty")
	errUnavailable = &opError{status: http.StatusServiceUnavailable, code: "transient",
		msg: "the MIS is unavailable; retry with the same Idempotency-Key"}
	errInternal = &opError{status: http.StatusInternalServerError, code: "exception",
		msg: "internal error; nothing was changed, retry with the same Idempotency-Key"}
	errUnauthorized = &opError{status: http.StatusUnauthorized, code: "login", msg: "bearer token required"}
)

// outcome renders e as the contract's OperationOutcome.
func (e *opError) outcome() misv2.OperationOutcome {
	is := misv2.Issue{Severity: "error", Code: e.code, Diagnostics: e.msg}
	if e.refusal != "" {
		is.Details = &misv2.CodeableConcept{
			Coding: []misv2.Coding{{System: misv2.RefusalCodeSystem, Code: e.refusal}},
			Text:   e.msg,
		}
	}
	return misv2.OperationOutcome{ResourceType: "OperationOutcome", Issue: []misv2.Issue{is}}
}
