package conformance

import (
	"github.com/fedhealth/federation/contracts/misv2"
	fhirkit "github.com/fedhealth/federation/contracts/misv2/conformance"
	"github.com/fedhealth/federation/regions/soap"

	kit "github.com/fedhealth/federation/contracts/conformance"
)

// soapCallback is SOAP-CB-01: the soap kind's status callback
// (UpdateAppointmentStatus) checked as the broker takes it: the same
// signature check as the fhir kind's (misv2.CallbackVerifier), the body
// decoded by the broker's soap decoder.
func (r *soapRig) soapCallback(t kit.T) {
	receiveCallback(t, r.t.Callback, func(t kit.T) string {
		_, a := r.port.held(t) // a hold is the booking at a soap MIS
		return a.ID
	}, soap.DecodeStatusUpdate)
}

// receiveCallback makes an appointment (book), asks for a change to it at
// the clinic and judges the first callback that comes: signed, fresh,
// decodable by decode, naming that appointment.
func receiveCallback(t kit.T, cb *fhirkit.CallbackCheck, book func(kit.T) string, decode func([]byte) (misv2.StatusCallback, error)) {
	if cb == nil || cb.Listen == "" {
		t.Skip("no callback receiver (--callback-listen and --callback-secret-file): status callbacks not checked")
	}
	v, err := misv2.NewCallbackVerifier(cb.Secrets)
	if err != nil {
		t.Fatalf("the callback secret: %v", err)
	}
	id := book(t)
	wait := cb.Wait
	if wait <= 0 {
		wait = fhirkit.DefaultCallbackWait
	}
	d, err := fhirkit.ReceiveCallback(t.Context(), cb.Listen, v, wait, func(url string) {
		if cb.Ask != nil {
			cb.Ask(fhirkit.CallbackAsk{URL: url, AppointmentID: id, Wait: wait})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Refused != "" {
		t.Fatalf("callback %q refused as the broker would refuse it: %s", d.WebhookID, d.Refused)
	}
	got, err := decode(d.Body)
	if err != nil {
		t.Fatalf("callback %q is signed but does not decode: %v", d.WebhookID, err)
	}
	if got.Data.AppointmentID != id {
		t.Errorf("callback %q reports appointment %q, want %q (the one the kit made and asked to change)", d.WebhookID, got.Data.AppointmentID, id)
	}
	t.Logf("callback %q: %s of %s", d.WebhookID, got.Type, got.Data.AppointmentID)
}
