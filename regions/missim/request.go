package missim

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"

	"github.com/fedhealth/federation/contracts/misv2"
)

// maxBody caps request bodies; a $hold is a few hundred bytes.
const maxBody = 64 << 10

// maxKeyLen caps Idempotency-Key values.
const maxKeyLen = 200

// patient holds the identifiers a $hold carries. Personal data: never log it.
type patient struct {
	snils, oms string
}

// identifier is the patient's logical identifier for the period search:
// SNILS, or OMS without one; nil when neither is known.
func (p patient) identifier() *misv2.Identifier {
	switch {
	case p.snils != "":
		return &misv2.Identifier{System: misv2.SNILSSystem, Value: p.snils}
	case p.oms != "":
		return &misv2.Identifier{System: misv2.OMSSystem, Value: p.oms}
	}
	return nil
}

// fingerprint tells two patients apart without keeping them in clear in
// the idempotency records.
func (p patient) fingerprint() string { return fmt.Sprintf("%016x", fnvHash(p.snils+"|"+p.oms)) }

// hash picks the attachment facility from SNILS, or OMS without one.
func (p patient) hash() uint64 {
	if p.snils != "" {
		return fnvHash(p.snils)
	}
	return fnvHash(p.oms)
}

func fnvHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// idempotencyKey returns the request's key or an invalid-request error.
func idempotencyKey(r *http.Request) (string, *opError) {
	key := r.Header.Get(misv2.HeaderIdempotencyKey)
	switch {
	case key == "":
		return "", errInvalid("the Idempotency-Key header is required")
	case len(key) > maxKeyLen:
		return "", errInvalid("the Idempotency-Key header is too long")
	}
	return key, nil
}

// parseHold reads the $hold Parameters body.
func parseHold(w http.ResponseWriter, r *http.Request, q Quirks) (holdRequest, *opError) {
	var req holdRequest
	key, e := q.idempotencyKey(r)
	if e != nil {
		return req, e
	}
	req.key = key
	var params misv2.Parameters
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&params); err != nil {
		return req, errInvalid("body is not a Parameters resource: " + err.Error())
	}
	if params.ResourceType != "Parameters" {
		return req, errInvalid(`resourceType must be "Parameters"`)
	}
	for _, p := range params.Parameter {
		if e := req.apply(p); e != nil {
			return req, e
		}
	}
	if q.Has(QuirkLaxHoldParams) {
		return req, nil
	}
	return req, req.validate()
}

// apply takes one parameter of $hold into req.
func (req *holdRequest) apply(p misv2.Parameter) *opError {
	switch {
	case p.Name == "slot" && p.ValueReference != nil:
		_, id, ok := strings.Cut(p.ValueReference.Reference, "Slot/")
		if !ok || id == "" {
			return errInvalid(`parameter "slot" must reference "Slot/{id}"`)
		}
		req.slotID = id
	case p.Name == "patient" && p.ValueIdentifier != nil:
		return req.applyIdentifier(*p.ValueIdentifier)
	case p.Name == "referral":
		req.referral = p.ValueString != "" || (p.ValueIdentifier != nil && p.ValueIdentifier.Value != "")
	}
	return nil
}

func (req *holdRequest) applyIdentifier(id misv2.Identifier) *opError {
	switch id.System {
	case misv2.SNILSSystem:
		if !validSNILS(id.Value) {
			return errInvalid("patient SNILS is malformed or fails its checksum")
		}
		req.patient.snils = strings.NewReplacer("-", "", " ", "").Replace(id.Value)
	case misv2.OMSSystem:
		if !validOMS(id.Value) {
			return errInvalid("patient OMS policy number must have 16 digits")
		}
		req.patient.oms = id.Value
	}
	return nil
}

func (req *holdRequest) validate() *opError {
	switch {
	case req.slotID == "":
		return errInvalid(`parameter "slot" is required`)
	case req.patient.snils == "" && req.patient.oms == "":
		return errInvalid(`parameter "patient" with a SNILS or OMS identifier is required`)
	}
	return nil
}
