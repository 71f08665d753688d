package conformance

import (
	"net/http"
	"regexp"
	"slices"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions/soap"
)

// soapRequirements are what the broker's soap adapter relies on
// (regions/soap/wire.md), in the order they run. r is nil for Catalog.
func soapRequirements(r *soapRig) []kit.Requirement {
	return []kit.Requirement{
		{ID: "SOAP-WSDL-01", Title: "The endpoint serves its WSDL (?wsdl) with every operation the broker calls", ReadOnly: true, Run: r.wsdl},
		{ID: "SOAP-PATIENT-01", Title: "GetPatientInfo opens a session: Session_ID", Required: true, ReadOnly: true, Run: r.patientInfo},
		{ID: "SOAP-FAULT-01", Title: "A request the MIS cannot act on is a well-formed fault INVALID_REQUEST", Required: true, ReadOnly: true, Run: r.faultInvalid},
		{ID: "SOAP-DIR-01", Title: "GetMOInfoExtended lists the organisations that take appointments, each by a registry OID of the region's form", Required: true, ReadOnly: true, Run: r.directory},
		{ID: "SOAP-DIR-02", Title: "GetServicePostSpecsInfo lists each organisation's posts with their resources, and every slot of the organisation carries one of them", Required: true, ReadOnly: true, Run: r.posts},
		{ID: "SOAP-DIR-03", Title: "GetServicePostSpecsInfo of an unknown MO_OID is the fault MO_NOT_FOUND", Required: true, ReadOnly: true, Run: r.postsUnknown},
		{ID: "SOAP-SCHED-01", Title: "GetScheduleInfo lists free slots with id, times, post, resource and MO, by start, at most Max_Count", Required: true, ReadOnly: true, Run: r.scheduleShape},
		{ID: "SOAP-SCHED-02", Title: "GetScheduleInfo gives Visit_Time and Visit_End_Time in the region's UTC offset", Required: true, ReadOnly: true, Run: r.scheduleOffsets},
		{ID: "SOAP-SCHED-03", Title: "GetScheduleInfo by Slot_Id returns that one slot", Required: true, ReadOnly: true, Run: r.scheduleByID},
		{ID: "SOAP-SCHED-04", Title: "GetScheduleInfo of an unknown Slot_Id is the fault SLOT_NOT_FOUND", Required: true, ReadOnly: true, Run: r.scheduleUnknown},
		{ID: "SOAP-PORT-01", Title: "The broker's adapter searches and reads slots", Required: true, ReadOnly: true, Run: r.portSearch},
		{ID: "SOAP-BOOK-01", Title: "CreateAppointment books a free slot, which then reads BUSY; CancelAppointment frees it", Required: true, Run: r.bookCycle},
		{ID: "SOAP-BOOK-02", Title: "A booking step repeated makes one appointment (read back by session)", Required: true, Run: r.bookRepeat},
		{ID: "SOAP-BOOK-03", Title: "CreateAppointment on a taken slot is the fault SLOT_TAKEN", Required: true, Run: r.bookTaken},
		{ID: "SOAP-CANCEL-01", Title: "CancelAppointment answers CANCELLED, also when repeated", Required: true, Run: r.cancelRepeat},
		{ID: "SOAP-AUTH-01", Title: "Calls without the bearer token are refused with 401", Required: true, ReadOnly: true, Run: r.auth},
		{ID: "SOAP-READ-01", Title: "GetPatientAppointments reads an appointment back by session and by Book_Id", Required: true, Run: r.readBack},
		{ID: "SOAP-CB-01", Title: "A change at the clinic reaches the broker as UpdateAppointmentStatus: signed (Standard Webhooks), fresh, of the changed appointment", Required: true, Run: r.soapCallback},
	}
}

// operationName finds WSDL operations, prefixed or not.
var operationName = regexp.MustCompile(`<(?:\w+:)?operation\s+name="(\w+)"`)

func (r *soapRig) wsdl(t kit.T) {
	ex := r.wire.do(t, t.Context(), http.MethodGet, r.t.URL+"?wsdl", "GET ?wsdl", nil, nil)
	if ex.status != http.StatusOK {
		t.Fatalf("the WSDL is not served: %s", ex)
	}
	var ops []string
	for _, m := range operationName.FindAllStringSubmatch(string(ex.body), -1) {
		ops = append(ops, m[1])
	}
	for _, m := range soap.Methods() {
		if !slices.Contains(ops, m) {
			t.Errorf("the WSDL has no operation %s (it has %v)", m, ops)
		}
	}
}

func (r *soapRig) patientInfo(t kit.T) { r.session(t) }

func (r *soapRig) faultInvalid(t kit.T) {
	var resp soap.GetPatientInfoResponse
	a := r.call(t, soap.MethodGetPatientInfo, &soap.GetPatientInfoRequest{}, &resp)
	wantFault(t, a, soap.MethodGetPatientInfo+" without OMS_Number or SNILS", soap.FaultInvalidRequest)
}

// moOID is the registry OID's form of the region's organisations:
// 1.2.643.5.1.13.13.12.2.<region>.<n>.
func (r *soapRig) moOID() *regexp.Regexp {
	return regexp.MustCompile(`^1\.2\.643\.5\.1\.13\.13\.12\.2\.` + regexp.QuoteMeta(r.t.Region.Code) + `\.[0-9]+$`)
}

func (r *soapRig) directory(t kit.T) {
	form := r.moOID()
	seen := map[string]bool{}
	for _, mo := range r.organisations(t) {
		switch {
		case !form.MatchString(mo.OID):
			t.Errorf("organisation %q has MO_OID %q, not of the region's form 1.2.643.5.1.13.13.12.2.%s.<n>", mo.Name, mo.OID, r.t.Region.Code)
		case seen[mo.OID]:
			t.Errorf("MO_OID %s is listed twice", mo.OID)
		case mo.Name == "":
			t.Errorf("organisation %s has no MO_Name", mo.OID)
		}
		seen[mo.OID] = true
	}
}

func (r *soapRig) posts(t kit.T) {
	for _, mo := range r.organisations(t) {
		var resp soap.GetServicePostSpecsInfoResponse
		a := r.ok(t, soap.MethodGetServicePostSpecsInfo, &soap.GetServicePostSpecsInfoRequest{MOOID: mo.OID}, &resp)
		if len(resp.Posts) == 0 {
			t.Errorf("GetServicePostSpecsInfo of %s lists no post; %s", mo.OID, a.exchange)
			continue
		}
		posts := map[string]bool{}
		for _, p := range resp.Posts {
			if p.Code == "" || p.Name == "" || len(p.Resources) == 0 || slices.ContainsFunc(p.Resources, func(res soap.Resource) bool { return res.ID == "" }) {
				t.Errorf("organisation %s: post %+v lacks Post_Code, Post_Name or resources with Resource_Id", mo.OID, p)
			}
			posts[p.Code] = true
		}
		for _, s := range r.scheduleOf(t, mo.OID, 50) {
			switch {
			case s.MO.OID != mo.OID:
				t.Errorf("GetScheduleInfo of MO_OID %s answered slot %s of organisation %s", mo.OID, s.SlotID, s.MO.OID)
			case !posts[s.Post.Code]:
				t.Errorf("slot %s of %s has Post_Code %q, which GetServicePostSpecsInfo does not list for it", s.SlotID, mo.OID, s.Post.Code)
			}
		}
	}
}

func (r *soapRig) postsUnknown(t kit.T) {
	var resp soap.GetServicePostSpecsInfoResponse
	unknown := "1.2.643.5.1.13.13.12.2." + r.t.Region.Code + ".999999999"
	a := r.call(t, soap.MethodGetServicePostSpecsInfo, &soap.GetServicePostSpecsInfoRequest{MOOID: unknown}, &resp)
	wantFault(t, a, "GetServicePostSpecsInfo of an unknown MO_OID", soap.FaultMONotFound)
}

func (r *soapRig) scheduleShape(t kit.T) {
	slots := r.schedule(t, 5)
	if len(slots) == 0 || len(slots) > 5 {
		t.Fatalf("GetScheduleInfo with Max_Count 5 over two weeks returned %d slots, want 1 to 5", len(slots))
	}
	var prev time.Time
	for _, s := range slots {
		if s.SlotID == "" || s.Post.Code == "" || s.Resource.ID == "" || s.MO.OID == "" {
			t.Errorf("slot %+v lacks Slot_Id, Post_Code, Resource_Id or MO_OID", s)
		}
		if s.State != soap.SlotFree {
			t.Errorf("slot %s has Slot_State %q in a search of free slots, want FREE", s.SlotID, s.State)
		}
		start, err1 := time.Parse(time.RFC3339, s.Start)
		end, err2 := time.Parse(time.RFC3339, s.End)
		if err1 != nil || err2 != nil || !end.After(start) {
			t.Errorf("slot %s: Visit_Time %q, Visit_End_Time %q are not an interval of xs:dateTime with offset", s.SlotID, s.Start, s.End)
			continue
		}
		if start.Before(prev) {
			t.Errorf("slot %s starts %s, before the previous slot", s.SlotID, s.Start)
		}
		prev = start
	}
}

func (r *soapRig) scheduleOffsets(t kit.T) {
	for _, s := range r.schedule(t, 50) {
		checkOffset(t, r.loc, "slot "+s.SlotID+" Visit_Time", s.Start)
		checkOffset(t, r.loc, "slot "+s.SlotID+" Visit_End_Time", s.End)
	}
}

func (r *soapRig) scheduleByID(t kit.T) {
	slots := r.schedule(t, 10)
	if len(slots) == 0 {
		t.Fatal("no free slot in the next two weeks")
	}
	want := slots[len(slots)-1]
	got, a := r.slot(t, want.SlotID)
	if a.fault != nil {
		t.Fatalf("GetScheduleInfo by Slot_Id %s: fault %s; %s", want.SlotID, a.fault.Code, a.exchange)
	}
	if got.Start != want.Start || got.End != want.End || got.Resource.ID != want.Resource.ID {
		t.Errorf("slot %s by id is %+v, in the schedule %+v", want.SlotID, got, want)
	}
}

func (r *soapRig) scheduleUnknown(t kit.T) {
	_, a := r.slot(t, "conformance-no-such-slot")
	wantFault(t, a, "GetScheduleInfo of an unknown Slot_Id", soap.FaultSlotNotFound)
}

func (r *soapRig) portSearch(t kit.T) { searchThroughAdapter(t, r.port) }

func (r *soapRig) bookCycle(t kit.T) {
	bookAndCancel(t, r.port)
}

func (r *soapRig) bookRepeat(t kit.T) {
	holdTwiceOneAppointment(t, r.port)
	req, a := r.port.held(t)
	if _, err := r.port.mis.Hold(t.Context(), req); err != nil {
		t.Fatalf("repeating the hold of %s: %v", a.ID, err)
	}
	var resp soap.GetPatientAppointmentsResponse
	r.ok(t, soap.MethodGetPatientAppointments, &soap.GetPatientAppointmentsRequest{SessionID: r.session(t)}, &resp)
	live := 0
	for _, ap := range resp.Appointments {
		if ap.SlotID == req.SlotID && ap.Status == soap.StatusBooked {
			live++
		}
	}
	if live != 1 {
		t.Errorf("the patient has %d live appointments on slot %s after a repeated step, want 1", live, req.SlotID)
	}
}

func (r *soapRig) bookTaken(t kit.T) {
	req, _ := r.port.held(t)
	var info soap.GetPatientInfoResponse
	other := syntheticPatient()
	r.ok(t, soap.MethodGetPatientInfo, &soap.GetPatientInfoRequest{OMSNumber: other.OMS, SNILS: other.SNILS}, &info)
	var resp soap.CreateAppointmentResponse
	a := r.call(t, soap.MethodCreateAppointment, &soap.CreateAppointmentRequest{SessionID: info.SessionID, SlotID: req.SlotID}, &resp)
	if a.fault == nil && resp.BookID != "" {
		r.port.releaseLater(t, resp.BookID)
	}
	wantFault(t, a, "CreateAppointment on a taken slot", soap.FaultSlotTaken)
	takenRefused(t, r.port)
}

func (r *soapRig) cancelRepeat(t kit.T) {
	req, a := r.port.held(t)
	for i := range 2 {
		var resp soap.CancelAppointmentResponse
		r.ok(t, soap.MethodCancelAppointment, &soap.CancelAppointmentRequest{BookID: a.ID}, &resp)
		if resp.BookID != a.ID || resp.Status != soap.StatusCancelled {
			t.Errorf("CancelAppointment #%d of %s answered %+v, want Book_Id %s CANCELLED", i+1, a.ID, resp, a.ID)
		}
	}
	if s, _ := r.slot(t, req.SlotID); s.State != soap.SlotFree {
		t.Errorf("slot %s reads %q after the cancel, want FREE", req.SlotID, s.State)
	}
}

func (r *soapRig) readBack(t kit.T) {
	req, a := r.port.held(t)
	var bySession, byID soap.GetPatientAppointmentsResponse
	r.ok(t, soap.MethodGetPatientAppointments, &soap.GetPatientAppointmentsRequest{SessionID: r.session(t)}, &bySession)
	if !slices.ContainsFunc(bySession.Appointments, func(p soap.PatientAppointment) bool {
		return p.BookID == a.ID && p.SlotID == req.SlotID && p.Status == soap.StatusBooked
	}) {
		t.Errorf("read back by session: %+v lacks %s on slot %s BOOKED", bySession.Appointments, a.ID, req.SlotID)
	}
	r.ok(t, soap.MethodGetPatientAppointments, &soap.GetPatientAppointmentsRequest{BookID: a.ID}, &byID)
	if len(byID.Appointments) != 1 || byID.Appointments[0].BookID != a.ID {
		t.Errorf("read back by Book_Id %s: %+v, want that one appointment", a.ID, byID.Appointments)
	}
}

func (r *soapRig) auth(t kit.T) {
	refusedWithoutToken(t, r.wire, func(w *rawClient) exchange {
		body, _ := soap.Marshal(&soap.GetMOInfoExtendedRequest{BookingType: soap.BookingTypeAppointment})
		h := http.Header{"Content-Type": {soap.ContentType}, "Soapaction": {`"` + soap.Action(soap.MethodGetMOInfoExtended) + `"`}}
		return w.do(t, t.Context(), http.MethodPost, r.t.URL, soap.MethodGetMOInfoExtended+" without token", h, body)
	})
}
