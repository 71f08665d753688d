package soap

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/fedhealth/federation/contracts"
)

// marker stands for the patient's name a fault's free text may carry; no
// error may quote it.
const marker = "Иванов"

// FuzzDecode feeds arbitrary answers, with any HTTP status, to the decoder
// of a read and of CreateAppointment. It never panics, and every answer
// ends one of three ways: the expected response element (only with a 2xx
// status); a fault, which becomes its code's contracts error or, for a
// code outside the vocabulary, an error of kind internal, never quoting the
// fault's text; or an answer outside the protocol, which is the region
// unavailable after a read and may also be an unknown outcome after
// CreateAppointment, never a refusal.
func FuzzDecode(f *testing.F) {
	body := func(s string) []byte {
		return []byte(`<soap:Envelope xmlns:soap="` + EnvelopeNamespace + `"><soap:Body>` + s + `</soap:Body></soap:Envelope>`)
	}
	created, _ := Marshal(&CreateAppointmentResponse{BookID: "B-1"})
	schedule, _ := Marshal(&GetScheduleInfoResponse{Slots: []ScheduleSlot{{SlotID: "S-1", Start: "2026-12-03T09:00:00+10:00"}}})
	for _, seed := range [][]byte{
		created, schedule,
		MarshalFault(false, FaultSlotTaken, marker+" И. И. holds it"), MarshalFault(true, "SOMETHING_NEW", marker),
		MarshalFault(false, "", ""), body(`<soap:Fault><faultcode>soap:Client</faultcode><detail><ErrorDetail>`),
		body(`<soap:Fault xmlns:soap="urn:other"/>`), body(``), body(`<a><b><c></c></b></a>`),
		[]byte(`<soap:Envelope xmlns:soap="` + EnvelopeNamespace + `"><soap:Header><x/></soap:Header><soap:Body><Get`),
		[]byte(`<html><body>gateway</body></html>`), []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`),
		[]byte(strings.Repeat("<a>", 5000)), nil,
	} {
		f.Add(uint16(200), false, seed)
		f.Add(uint16(500), true, seed)
	}
	c := &Client{cfg: Config{Region: contracts.Region{Code: "25"}}}
	f.Fuzz(func(t *testing.T, code uint16, changes bool, raw []byte) {
		status := 200 + int(code)%400 // 200..599
		method, out := MethodGetScheduleInfo, any(&GetScheduleInfoResponse{})
		if changes {
			method, out = MethodCreateAppointment, any(&CreateAppointmentResponse{})
		}
		err := c.decode(method, changes, status, raw, out)
		fault, isFault := decodesAsFault(raw)
		switch {
		case err == nil:
			if status < 200 || status > 299 || isFault {
				t.Fatalf("HTTP %d %q accepted", status, raw)
			}
		case isFault:
			checkFault(t, err, fault)
		case changes:
			// Only a refusal the MIS itself sent before reading the call (an
			// overload or server status without an envelope, not a
			// gateway's 502/504, which may follow a commit) says nothing was
			// done; every other bad answer may follow a commit.
			want := contracts.ErrOutcomeUnknown
			if _, _, envErr := ReadEnvelope(bytes.NewReader(raw)); envErr != nil &&
				(status >= 500 || status == http.StatusTooManyRequests) &&
				status != http.StatusBadGateway && status != http.StatusGatewayTimeout {
				want = contracts.ErrRegionUnavailable
			}
			if !errors.Is(err, want) || (want == contracts.ErrOutcomeUnknown && errors.Is(err, contracts.ErrRegionUnavailable)) {
				t.Fatalf("HTTP %d %q after CreateAppointment: %v, want exactly %v", status, raw, err, want)
			}
		default:
			if !errors.Is(err, contracts.ErrRegionUnavailable) {
				t.Fatalf("HTTP %d %q after a read: %v, want the region unavailable", status, raw, err)
			}
		}
	})
}

// decodesAsFault reports whether raw is an envelope whose Body holds a
// fault that decodes, as the adapter reads it.
func decodesAsFault(raw []byte) (*Fault, bool) {
	d, start, err := ReadEnvelope(bytes.NewReader(raw))
	if err != nil || !IsFault(start) {
		return nil, false
	}
	var f Fault
	if d.DecodeElement(&f, &start) != nil {
		return nil, false
	}
	return &f, true
}

func checkFault(t *testing.T, err error, f *Fault) {
	t.Helper()
	if want, known := faultKinds[f.Code]; known {
		if !errors.Is(err, want) {
			t.Fatalf("fault %q: %v, want %v", f.Code, err, want)
		}
	} else if contracts.KindOf(err) != contracts.KindInternal || !strings.Contains(err.Error(), "unknown code") {
		t.Fatalf("fault with unknown code %q: %v, want a clear error of kind internal", f.Code, err)
	}
	if strings.Contains(f.FaultString, marker) && !strings.Contains(f.Code+f.FaultCode, marker) && strings.Contains(err.Error(), marker) {
		t.Fatalf("error %q quotes the fault's text", err)
	}
}
