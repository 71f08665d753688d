package soap_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/soap"
)

func callbacksOfEveryType() []misv2.StatusCallback {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	start := time.Date(2026, 12, 10, 9, 0, 0, 0, time.FixedZone("", 10*3600))
	return []misv2.StatusCallback{
		{Type: misv2.CallbackCancelled, Timestamp: at, Data: misv2.StatusChangeData{AppointmentID: "B-1", Sequence: 2, Reason: "clinic_closed"}},
		{Type: misv2.CallbackMoved, Timestamp: at, Data: misv2.StatusChangeData{AppointmentID: "B-1", Start: start, End: start.Add(20 * time.Minute)}},
		{Type: misv2.CallbackVisited, Timestamp: at, Data: misv2.StatusChangeData{AppointmentID: "B-1"}},
		{Type: misv2.CallbackNoShow, Timestamp: at, Data: misv2.StatusChangeData{AppointmentID: "B-1"}},
		{Type: misv2.CallbackBookedElsewhere, Timestamp: at, Data: misv2.StatusChangeData{AppointmentID: "B-2",
			Start: start, End: start.Add(20 * time.Minute), Channel: "registry_desk",
			Patient: &misv2.CallbackPatient{SNILS: "112-233-445 95"}, Specialty: "therapist", Practitioner: "Dr A", Location: "Clinic 1"}},
	}
}

func TestUpdateAppointmentStatusIsEncodedAsTheWSDLSaysAndDecodesBack(t *testing.T) {
	doc := parseWSDL(t)
	if ops := doc.operations("ERegistryCallbackPortType"); !slices.Equal(ops, soap.CallbackMethods()) {
		t.Fatalf("WSDL callback operations %v, want %v", ops, soap.CallbackMethods())
	}
	el, ok := doc.element("UpdateAppointmentStatusRequest")
	if !ok {
		t.Fatal("the WSDL has no UpdateAppointmentStatusRequest")
	}
	for _, cb := range callbacksOfEveryType() {
		t.Run(cb.Type, func(t *testing.T) {
			raw, err := soap.Marshal(soap.StatusUpdateOf(cb))
			if err != nil {
				t.Fatal(err)
			}
			doc.check(t, "UpdateAppointmentStatusRequest", bodyOf(t, raw), el.Sequence)
			got, err := soap.DecodeStatusUpdate(raw)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !got.Timestamp.Equal(cb.Timestamp) || !got.Data.Start.Equal(cb.Data.Start) || !got.Data.End.Equal(cb.Data.End) {
				t.Errorf("times %v %v %v, want %v %v %v", got.Timestamp, got.Data.Start, got.Data.End, cb.Timestamp, cb.Data.Start, cb.Data.End)
			}
			got.Timestamp, got.Data.Start, got.Data.End = cb.Timestamp, cb.Data.Start, cb.Data.End
			if !reflect.DeepEqual(got, cb) {
				t.Errorf("decoded %+v, want %+v", got, cb)
			}
		})
	}
	resp := bodyOf(t, soap.StatusUpdateAccepted("ev-1"))
	out, _ := doc.element("UpdateAppointmentStatusResponse")
	doc.check(t, "UpdateAppointmentStatusResponse", resp, out.Sequence)
}

func TestABadStatusUpdateIsRefused(t *testing.T) {
	good, _ := soap.Marshal(soap.StatusUpdateOf(callbacksOfEveryType()[0]))
	cases := []struct{ name, body string }{
		{"an undeclared element is refused", strings.Replace(string(good), "<Status>", "<Note>x</Note><Status>", 1)},
		{"an unknown status is refused", strings.Replace(string(good), "CANCELLED", "LOST", 1)},
		{"a cancellation without its reason is refused", strings.Replace(string(good), "CLINIC_CLOSED", "", 1)},
		{"another operation's request is refused", `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CancelAppointmentRequest xmlns="http://www.rt-eu.ru/med/er/v2_0"><Book_Id>1</Book_Id></CancelAppointmentRequest></soap:Body></soap:Envelope>`},
		{"JSON is refused", `{"type":"appointment.visited"}`},
	}
	if _, err := soap.DecodeStatusUpdate(good); err != nil {
		t.Fatalf("the good request: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := soap.DecodeStatusUpdate([]byte(c.body))
			if !errors.Is(err, soap.ErrBadStatusUpdate) && !errors.Is(err, misv2.ErrBadCallback) {
				t.Errorf("err %v, want a malformed request", err)
			}
		})
	}
}

func TestARefusalIsAFaultWithTheCode(t *testing.T) {
	raw := soap.StatusUpdateRefused(401, "callback-unauthenticated", "not signed")
	if !bytes.Contains(raw, []byte("<er:Error_Code>CALLBACK_UNAUTHENTICATED</er:Error_Code>")) || !bytes.Contains(raw, []byte("soap:Client")) {
		t.Errorf("fault %s", raw)
	}
	if !bytes.Contains(soap.StatusUpdateRefused(503, "callback-unavailable", ""), []byte("soap:Server")) {
		t.Error("a 503 is not a server fault")
	}
}

// FuzzDecodeStatusUpdate feeds arbitrary bodies to the broker's decoder of
// UpdateAppointmentStatus. It never panics, refuses as malformed whatever
// it does not accept, and what it accepts validates and survives a round
// trip through the request's encoding.
func FuzzDecodeStatusUpdate(f *testing.F) {
	for _, cb := range callbacksOfEveryType() {
		raw, _ := soap.Marshal(soap.StatusUpdateOf(cb))
		f.Add(raw)
	}
	f.Add([]byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body></soap:Body></soap:Envelope>`))
	f.Add([]byte(strings.Repeat("<a>", 3000)))
	f.Add([]byte(nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := soap.DecodeStatusUpdate(body)
		if err != nil {
			if !errors.Is(err, soap.ErrBadStatusUpdate) && !errors.Is(err, misv2.ErrBadCallback) {
				t.Fatalf("an error of another kind: %v", err)
			}
			return
		}
		if err := cb.Validate(); err != nil {
			t.Fatalf("accepted %+v, which does not validate: %v", cb, err)
		}
		again, _ := soap.Marshal(soap.StatusUpdateOf(cb))
		cb2, err := soap.DecodeStatusUpdate(again)
		if err != nil || cb2.Type != cb.Type || cb2.Data.AppointmentID != cb.Data.AppointmentID || !cb2.Timestamp.Equal(cb.Timestamp) {
			t.Fatalf("round trip: %+v %v, want %+v", cb2, err, cb)
		}
	})
}
