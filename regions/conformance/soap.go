package conformance

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions/soap"
)

// soapRig is what the SOAP requirements share: the adapter behind the
// port, and the raw wire for what the adapter hides.
type soapRig struct{ rig }

// newSOAPAdapter is the one place the kit builds the soap adapter, with
// the target's endpoint, credentials and ledger.
func newSOAPAdapter(t Target) (*soap.Client, error) {
	return soap.New(soap.Config{Region: t.Region, EndpointConfig: t.endpoint()}, t.Ledger, nil)
}

func newSOAPSuite(t Target) (*Suite, error) {
	c, err := newSOAPAdapter(t)
	if err != nil {
		return nil, err
	}
	base, err := newRig(t, c)
	if err != nil {
		return nil, err
	}
	return &Suite{Requirements: soapRequirements(&soapRig{base}), closers: []io.Closer{c}}, nil
}

// soapAnswer is a raw call's outcome: the exchange, and the fault when
// the MIS answered one.
type soapAnswer struct {
	exchange
	fault *soap.Fault
}

// call sends method with body in and decodes the answer into out, which
// must be the method's Response element. A body that is not a SOAP
// envelope, or the wrong element, ends the requirement.
func (r *soapRig) call(t kit.T, method string, in, out any) soapAnswer {
	t.Helper()
	body, err := soap.Marshal(in)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	h := http.Header{"Content-Type": {soap.ContentType}, "Soapaction": {`"` + soap.Action(method) + `"`}}
	ex := r.wire.do(t, t.Context(), http.MethodPost, r.t.URL, method, h, body)
	a := soapAnswer{exchange: ex}
	d, start, err := soap.ReadEnvelope(strings.NewReader(string(ex.body)))
	if err != nil {
		t.Fatalf("%s: the answer is not a SOAP 1.1 envelope (%v); %s", method, err, ex)
	}
	if soap.IsFault(start) {
		a.fault = &soap.Fault{}
		if err := d.DecodeElement(a.fault, &start); err != nil {
			t.Fatalf("%s: the fault does not decode (%v); %s", method, err, ex)
		}
		return a
	}
	want := xml.Name{Space: soap.Namespace, Local: method + "Response"}
	if start.Name != want {
		t.Fatalf("%s: the answer's element is {%s}%s, want {%s}%s; %s", method, start.Name.Space, start.Name.Local, want.Space, want.Local, ex)
	}
	if err := d.DecodeElement(out, &start); err != nil {
		t.Fatalf("%s: the answer does not decode (%v); %s", method, err, ex)
	}
	if ex.status != http.StatusOK {
		t.Errorf("%s: a successful answer with HTTP status %d, want 200; %s", method, ex.status, ex)
	}
	return a
}

// ok is call for an answer that must not be a fault.
func (r *soapRig) ok(t kit.T, method string, in, out any) soapAnswer {
	t.Helper()
	a := r.call(t, method, in, out)
	if a.fault != nil {
		t.Fatalf("%s: fault %s; %s", method, a.fault.Code, a.exchange)
	}
	return a
}

// wantFault checks that a is a well-formed fault with code: HTTP 500 (or
// 503 for the MIS's own unavailability), a faultcode, the Error_Code.
func wantFault(t kit.T, a soapAnswer, method, code string) {
	t.Helper()
	switch {
	case a.fault == nil:
		t.Errorf("%s: answered without a fault, want fault %s; %s", method, code, a.exchange)
	case a.fault.Code != code:
		t.Errorf("%s: fault Error_Code %q, want %s; %s", method, a.fault.Code, code, a.exchange)
	case !strings.HasSuffix(a.fault.FaultCode, ":Client") && !strings.HasSuffix(a.fault.FaultCode, ":Server"):
		t.Errorf("%s: faultcode %q, want soap:Client or soap:Server; %s", method, a.fault.FaultCode, a.exchange)
	case a.status != http.StatusInternalServerError:
		t.Errorf("%s: fault with HTTP status %d, want 500 (SOAP 1.1 over HTTP); %s", method, a.status, a.exchange)
	}
}

// session opens a session for the target's patient.
func (r *soapRig) session(t kit.T) string {
	t.Helper()
	var resp soap.GetPatientInfoResponse
	r.ok(t, soap.MethodGetPatientInfo, &soap.GetPatientInfoRequest{OMSNumber: r.t.Patient.OMS, SNILS: r.t.Patient.SNILS}, &resp)
	if resp.SessionID == "" {
		t.Fatalf("GetPatientInfo answered no Session_ID")
	}
	return resp.SessionID
}

// organisations lists the MIS's organisations that take appointments
// (GetMOInfoExtended); none ends the requirement, as nothing can then be
// searched.
func (r *soapRig) organisations(t kit.T) []soap.MOInfo {
	t.Helper()
	var resp soap.GetMOInfoExtendedResponse
	a := r.ok(t, soap.MethodGetMOInfoExtended, &soap.GetMOInfoExtendedRequest{BookingType: soap.BookingTypeAppointment}, &resp)
	if len(resp.MOs) == 0 {
		t.Fatalf("GetMOInfoExtended lists no organisation; %s", a.exchange)
	}
	return resp.MOs
}

// schedule lists free slots of the directory's first organisation over the
// next two weeks, at most max (GetScheduleInfo answers per organisation).
func (r *soapRig) schedule(t kit.T, max int) []soap.ScheduleSlot {
	t.Helper()
	return r.scheduleOf(t, r.organisations(t)[0].OID, max)
}

// scheduleOf lists free slots of the organisation moOID over the next two
// weeks, at most max.
func (r *soapRig) scheduleOf(t kit.T, moOID string, max int) []soap.ScheduleSlot {
	t.Helper()
	today := time.Now().In(r.loc)
	var resp soap.GetScheduleInfoResponse
	r.ok(t, soap.MethodGetScheduleInfo, &soap.GetScheduleInfoRequest{MOOID: moOID, StartDate: today.Format(time.DateOnly),
		EndDate: today.AddDate(0, 0, 14).Format(time.DateOnly), MaxCount: max}, &resp)
	return resp.Slots
}

// slot reads one slot by its id; a fault is returned, not failed.
func (r *soapRig) slot(t kit.T, id string) (soap.ScheduleSlot, soapAnswer) {
	t.Helper()
	var resp soap.GetScheduleInfoResponse
	a := r.call(t, soap.MethodGetScheduleInfo, &soap.GetScheduleInfoRequest{SlotID: id}, &resp)
	if a.fault != nil {
		return soap.ScheduleSlot{}, a
	}
	if len(resp.Slots) != 1 || resp.Slots[0].SlotID != id {
		t.Fatalf("GetScheduleInfo by Slot_Id %s returned %d slots, want exactly that one; %s", id, len(resp.Slots), a.exchange)
	}
	return resp.Slots[0], a
}
