package soapsim_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/jonboulle/clockwork"
)

// call posts req to the simulator at url and decodes a success into out;
// it returns the HTTP status and the fault's Error_Code ("" on success).
func call(t *testing.T, url string, req, out any) (int, string) {
	t.Helper()
	code, body := do(t, http.MethodPost, url+"/", "", string(must(soap.Marshal(req))))
	d, start, err := soap.ReadEnvelope(strings.NewReader(body))
	if err != nil {
		t.Fatalf("answer %d %s: %v", code, body, err)
	}
	if soap.IsFault(start) {
		var f soap.Fault
		if err := d.DecodeElement(&f, &start); err != nil {
			t.Fatal(err)
		}
		return code, f.Code
	}
	if err := d.DecodeElement(out, &start); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	return code, ""
}

func TestTheDirectoryAndTheScheduleOfOneOrganisation(t *testing.T) {
	cfg := soapsim.Config{Region: "25"}
	url := serve(t, cfg)
	dir := missim.Directory(cfg)

	var mos soap.GetMOInfoExtendedResponse
	if _, fault := call(t, url, &soap.GetMOInfoExtendedRequest{BookingType: soap.BookingTypeAppointment}, &mos); fault != "" || len(mos.MOs) != len(dir) {
		t.Fatalf("GetMOInfoExtended: fault %q, %d organisations, want %d", fault, len(mos.MOs), len(dir))
	}
	for i, mo := range mos.MOs {
		if mo.OID != dir[i].OID || mo.Name != dir[i].Name || mo.Phone == "" {
			t.Errorf("organisation %d is %+v, want %s %q with a phone", i, mo, dir[i].OID, dir[i].Name)
		}
	}
	post := dir[0].Doctors[1].Specialty.Code
	var withPost soap.GetMOInfoExtendedResponse
	call(t, url, &soap.GetMOInfoExtendedRequest{PostCode: post}, &withPost)
	for _, mo := range withPost.MOs {
		var posts soap.GetServicePostSpecsInfoResponse
		call(t, url, &soap.GetServicePostSpecsInfoRequest{MOOID: mo.OID}, &posts)
		if !strings.Contains(string(must(soap.Marshal(&posts))), "<Post_Code>"+post+"</Post_Code>") {
			t.Errorf("%s is listed for post %s, which its posts lack", mo.OID, post)
		}
	}
	if len(withPost.MOs) == 0 {
		t.Errorf("no organisation listed for post %s, which %s has", post, dir[0].OID)
	}
	if _, fault := call(t, url, &soap.GetMOInfoExtendedRequest{BookingType: "REFERRAL"}, &mos); fault != soap.FaultInvalidRequest {
		t.Errorf("Booking_Type REFERRAL: fault %q, want INVALID_REQUEST", fault)
	}

	var posts soap.GetServicePostSpecsInfoResponse
	if _, fault := call(t, url, &soap.GetServicePostSpecsInfoRequest{MOOID: dir[0].OID}, &posts); fault != "" || len(posts.Posts) == 0 {
		t.Fatalf("GetServicePostSpecsInfo: fault %q, posts %+v", fault, posts.Posts)
	}
	resources := 0
	for _, p := range posts.Posts {
		resources += len(p.Resources)
	}
	if resources != len(dir[0].Doctors) {
		t.Errorf("the posts list %d resources, the organisation has %d doctors", resources, len(dir[0].Doctors))
	}
	if code, fault := call(t, url, &soap.GetServicePostSpecsInfoRequest{MOOID: "1.2.643.5.1.13.13.12.2.25.999"}, &posts); code != 500 || fault != soap.FaultMONotFound {
		t.Errorf("an unknown MO_OID: %d %q, want 500 MO_NOT_FOUND", code, fault)
	}

	var sched soap.GetScheduleInfoResponse
	if _, fault := call(t, url, &soap.GetScheduleInfoRequest{MaxCount: 5}, &sched); fault != soap.FaultInvalidRequest {
		t.Errorf("GetScheduleInfo without MO_OID or Slot_Id: fault %q, want INVALID_REQUEST", fault)
	}
	if _, fault := call(t, url, &soap.GetScheduleInfoRequest{MOOID: dir[1].OID, MaxCount: 20}, &sched); fault != "" || len(sched.Slots) != 20 {
		t.Fatalf("GetScheduleInfo of %s: fault %q, %d slots", dir[1].OID, fault, len(sched.Slots))
	}
	for _, s := range sched.Slots {
		if s.MO.OID != dir[1].OID {
			t.Fatalf("GetScheduleInfo of %s answered slot %s of %s", dir[1].OID, s.SlotID, s.MO.OID)
		}
	}
	var one soap.GetScheduleInfoResponse
	if _, fault := call(t, url, &soap.GetScheduleInfoRequest{SlotID: sched.Slots[0].SlotID}, &one); fault != "" || len(one.Slots) != 1 {
		t.Errorf("GetScheduleInfo by Slot_Id alone: fault %q, %d slots", fault, len(one.Slots))
	}
}

func TestAnIncompleteDirectoryLeavesTheLastOrganisationOut(t *testing.T) {
	cfg := soapsim.Config{Region: "25", Quirks: missim.Quirks{missim.QuirkIncompleteDirectory}}
	url := serve(t, cfg)
	dir := missim.Directory(cfg)
	last := dir[len(dir)-1].OID
	var mos soap.GetMOInfoExtendedResponse
	call(t, url, &soap.GetMOInfoExtendedRequest{}, &mos)
	if len(mos.MOs) != len(dir)-1 || mos.MOs[len(mos.MOs)-1].OID == last {
		t.Fatalf("the directory lists %+v, want all but %s", mos.MOs, last)
	}
	var sched soap.GetScheduleInfoResponse
	if _, fault := call(t, url, &soap.GetScheduleInfoRequest{MOOID: last, MaxCount: 1}, &sched); fault != "" || len(sched.Slots) != 1 {
		t.Errorf("the left-out organisation's schedule: fault %q, %d slots; want it still served", fault, len(sched.Slots))
	}
	if _, err := soapsim.New(soapsim.Config{Region: "25", Quirks: missim.Quirks{missim.QuirkIncompleteManifest}}, nil); err == nil {
		t.Error("soapsim took a feed's quirk")
	}
}

func TestASessionLivesItsLifetimeAndAnExpiredOneChangesNothing(t *testing.T) {
	clk := clockwork.NewFakeClock()                                          // the simulator's sessions' clock
	sim, err := soapsim.New(soapsim.Config{Region: "25", Now: clk.Now}, nil) // SessionTTL: the default 20 minutes
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	url := srv.URL
	var info soap.GetPatientInfoResponse
	call(t, url, &soap.GetPatientInfoRequest{SNILS: "11223344595"}, &info)

	clk.Advance(19 * time.Minute)
	var appts soap.GetPatientAppointmentsResponse
	if _, fault := call(t, url, &soap.GetPatientAppointmentsRequest{SessionID: info.SessionID}, &appts); fault != "" {
		t.Fatalf("a 19-minute-old session: fault %q", fault)
	}
	clk.Advance(time.Minute)
	var created soap.CreateAppointmentResponse
	if code, fault := call(t, url, &soap.CreateAppointmentRequest{SessionID: info.SessionID, SlotID: "SL-1"}, &created); code != 500 || fault != soap.FaultSessionExpired {
		t.Errorf("CreateAppointment with a 20-minute-old session: %d %q, want 500 SESSION_EXPIRED", code, fault)
	}
	if n := len(sim.Appointments()); n != 0 {
		t.Errorf("the refused CreateAppointment made %d appointments", n)
	}
	for name, req := range map[string]any{
		"GetPatientAppointments":  &soap.GetPatientAppointmentsRequest{SessionID: info.SessionID},
		"GetMOInfoExtended":       &soap.GetMOInfoExtendedRequest{SessionID: info.SessionID},
		"CancelAppointment":       &soap.CancelAppointmentRequest{SessionID: info.SessionID, BookID: "B-1"},
		"an unknown session":      &soap.CreateAppointmentRequest{SessionID: "SID-never-given", SlotID: "SL-1"},
		"GetServicePostSpecsInfo": &soap.GetServicePostSpecsInfoRequest{SessionID: info.SessionID, MOOID: missim.Directory(soapsim.Config{Region: "25"})[0].OID},
	} {
		var out struct{}
		if _, fault := call(t, url, req, &out); fault != soap.FaultSessionExpired {
			t.Errorf("%s: fault %q, want SESSION_EXPIRED", name, fault)
		}
	}

	call(t, url, &soap.GetPatientInfoRequest{SNILS: "11223344595"}, &info)
	if _, fault := call(t, url, &soap.CreateAppointmentRequest{SessionID: info.SessionID, SlotID: "SL-1"}, &created); fault != "" || created.BookID == "" {
		t.Errorf("CreateAppointment with a new session: fault %q, %+v", fault, created)
	}
}

func TestFaultsApplyToTheDirectory(t *testing.T) {
	url := serve(t, soapsim.Config{})
	for _, f := range []string{`{"down":true}`, `{"error_rate":1}`, `{"read_error_rate":1}`} {
		if code, body := do(t, http.MethodPut, url+"/admin/faults", "", f); code != 200 {
			t.Fatalf("PUT faults %s = %d %s", f, code, body)
		}
		for _, req := range []any{&soap.GetMOInfoExtendedRequest{}, &soap.GetServicePostSpecsInfoRequest{MOOID: "x"}} {
			var out struct{}
			if _, fault := call(t, url, req, &out); fault != soap.FaultMISUnavailable && fault != soap.FaultMISBusy {
				t.Errorf("faults %s: %T answered fault %q, want the MIS unavailable or busy", f, req, fault)
			}
		}
	}
	if code, body := do(t, http.MethodPut, url+"/admin/faults", "", `{"latency_ms":150}`); code != 200 {
		t.Fatalf("PUT latency = %d %s", code, body)
	}
	began := time.Now()
	var mos soap.GetMOInfoExtendedResponse
	if _, fault := call(t, url, &soap.GetMOInfoExtendedRequest{}, &mos); fault != "" || time.Since(began) < 150*time.Millisecond {
		t.Errorf("with 150 ms latency GetMOInfoExtended answered in %s (fault %q)", time.Since(began), fault)
	}
}
