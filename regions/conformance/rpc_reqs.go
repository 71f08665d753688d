package conformance

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions/jsonrpc"
)

// rpcRequirements are what the broker's jsonrpc adapter relies on
// (regions/jsonrpc/wire.md), in the order they run. r is nil for Catalog.
func rpcRequirements(r *rpcRig) []kit.Requirement {
	return []kit.Requirement{
		{ID: "RPC-ENV-01", Title: "Answers are JSON-RPC 2.0 envelopes: jsonrpc \"2.0\", the call's id echoed (number or string), one of result and error", Required: true, ReadOnly: true, Run: r.envelope},
		{ID: "RPC-ENV-02", Title: "An unknown method is the error -32601", Required: true, ReadOnly: true, Run: r.unknownMethod},
		{ID: "RPC-ENV-03", Title: "Unknown or malformed params are the error -32602", Required: true, ReadOnly: true, Run: r.invalidParams},
		{ID: "RPC-ENV-04", Title: "Malformed JSON is the error -32700 with a null id", Required: true, ReadOnly: true, Run: r.parseError},
		{ID: "RPC-DISCOVER-01", Title: "rpc.discover describes every method the broker calls (OpenRPC)", ReadOnly: true, Run: r.discover},
		{ID: "RPC-SCHED-01", Title: "getAvailableResourceScheduleInfo lists available slots by day with resource, speciality and lpu, at most maxCount", Required: true, ReadOnly: true, Run: r.scheduleShape},
		{ID: "RPC-SCHED-02", Title: "Slot times carry the region's UTC offset and fall on their day's local date", Required: true, ReadOnly: true, Run: r.scheduleOffsets},
		{ID: "RPC-SCHED-03", Title: "A resource and a startTime name one slot", Required: true, ReadOnly: true, Run: r.scheduleOne},
		{ID: "RPC-PORT-01", Title: "The broker's adapter searches and reads slots", Required: true, ReadOnly: true, Run: r.portSearch},
		{ID: "RPC-BOOK-01", Title: "createAppointment books a free slot, which is then not available; cancelAppointment frees it", Required: true, Run: r.bookCycle},
		{ID: "RPC-BOOK-02", Title: "A booking step repeated makes one appointment (read back by patient)", Required: true, Run: r.bookRepeat},
		{ID: "RPC-BOOK-03", Title: "createAppointment on a taken slot is the error 1001", Required: true, Run: r.bookTaken},
		{ID: "RPC-CANCEL-01", Title: "cancelAppointment answers cancelled, also when repeated", Required: true, Run: r.cancelRepeat},
		{ID: "RPC-CANCEL-02", Title: "cancelAppointment of an unknown appointment is the error 1005", Required: true, Run: r.cancelUnknown},
		{ID: "RPC-AUTH-01", Title: "Calls without the bearer token are refused with 401", Required: true, ReadOnly: true, Run: r.auth},
		{ID: "RPC-READ-01", Title: "getAppointmentReceptionsByPatient reads the patient's appointment back", Required: true, Run: r.readBack},
	}
}

func (r *rpcRig) envelope(t kit.T) {
	for _, id := range []string{`41`, `"conformance-id"`} {
		var res jsonrpc.ScheduleResult
		a := r.callID(t, json.RawMessage(id), jsonrpc.MethodSchedule, jsonrpc.ScheduleParams{MaxCount: 1}, &res)
		if a.status != http.StatusOK {
			t.Errorf("a result with HTTP status %d, want 200; %s", a.status, a.exchange)
		}
	}
}

func (r *rpcRig) unknownMethod(t kit.T) {
	wantError(t, r.call(t, "conformanceNoSuchMethod", map[string]any{}, nil), "an unknown method", jsonrpc.CodeMethodNotFound)
}

func (r *rpcRig) invalidParams(t kit.T) {
	wantError(t, r.call(t, jsonrpc.MethodSchedule, map[string]any{"conformanceNoSuchParam": "x"}, nil),
		"an unknown parameter", jsonrpc.CodeInvalidParams)
	wantError(t, r.call(t, jsonrpc.MethodReceptions, jsonrpc.ReceptionsParams{OmsNumber: "123", BirthDate: "1985-03-14"}, nil),
		"a three-digit OMS policy", jsonrpc.CodeInvalidParams)
}

func (r *rpcRig) parseError(t kit.T) {
	a := r.post(t, "malformed JSON", []byte(`{"jsonrpc":`))
	wantError(t, a, "malformed JSON", jsonrpc.CodeParseError)
	if id := string(a.resp.ID); id != "null" && id != "" {
		t.Errorf("a parse error's id is %s, want null; %s", id, a.exchange)
	}
}

func (r *rpcRig) discover(t kit.T) {
	type method struct {
		Name string `json:"name"`
	}
	var doc struct {
		OpenRPC string   `json:"openrpc"`
		Methods []method `json:"methods"`
	}
	a := r.ok(t, "rpc.discover", nil, &doc)
	if doc.OpenRPC == "" {
		t.Errorf("rpc.discover's result has no openrpc version; %s", a.exchange)
	}
	for _, m := range jsonrpc.Methods() {
		if !slices.Contains(doc.Methods, method{m}) {
			t.Errorf("rpc.discover does not describe %s", m)
		}
	}
}

func (r *rpcRig) scheduleShape(t kit.T) {
	days := r.slots(t, 5)
	slots := flat(days)
	if len(slots) == 0 || len(slots) > 5 {
		t.Fatalf("maxCount 5 over two weeks returned %d slots, want 1 to 5", len(slots))
	}
	var prev time.Time
	for _, d := range days {
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
			t.Errorf("day %q is not a YYYY-MM-DD date", d.Date)
		}
		for _, s := range d.ScheduleBySlot {
			if !s.Available || s.AvailableResource.ID == "" || s.AvailableResource.SpecialityID == "" || s.Lpu.ID == "" {
				t.Errorf("slot %s: %+v is not available or lacks resource id, specialityId or lpu id", slotName(s), s)
			}
			start, err1 := time.Parse(time.RFC3339, s.StartTime)
			end, err2 := time.Parse(time.RFC3339, s.EndTime)
			if err1 != nil || err2 != nil || !end.After(start) {
				t.Errorf("slot %s: startTime %q, endTime %q are not an RFC 3339 interval", slotName(s), s.StartTime, s.EndTime)
				continue
			}
			if start.Before(prev) {
				t.Errorf("slot %s starts before the slot listed before it", slotName(s))
			}
			prev = start
		}
	}
}

func (r *rpcRig) scheduleOffsets(t kit.T) {
	for _, d := range r.slots(t, 50) {
		for _, s := range d.ScheduleBySlot {
			checkOffset(t, r.loc, "slot "+slotName(s)+" startTime", s.StartTime)
			checkOffset(t, r.loc, "slot "+slotName(s)+" endTime", s.EndTime)
			if at, err := time.Parse(time.RFC3339, s.StartTime); err == nil && at.In(r.loc).Format(time.DateOnly) != d.Date {
				t.Errorf("slot %s is listed under %s, its local date is %s", slotName(s), d.Date, at.In(r.loc).Format(time.DateOnly))
			}
		}
	}
}

func (r *rpcRig) scheduleOne(t kit.T) {
	slots := flat(r.slots(t, 10))
	if len(slots) == 0 {
		t.Fatal("no available slot in the next two weeks")
	}
	want := slots[len(slots)-1]
	var res jsonrpc.ScheduleResult
	a := r.ok(t, jsonrpc.MethodSchedule, jsonrpc.ScheduleParams{AvailableResourceID: want.AvailableResource.ID, StartTime: want.StartTime}, &res)
	got := flat(res.ScheduleOfDay)
	if len(got) != 1 || got[0].StartTime != want.StartTime || got[0].EndTime != want.EndTime {
		t.Errorf("resource %s with startTime %s gave %d slots, want that one; %s", want.AvailableResource.ID, want.StartTime, len(got), a.exchange)
	}
}

func (r *rpcRig) portSearch(t kit.T) { searchThroughAdapter(t, r.port) }

func (r *rpcRig) bookCycle(t kit.T) { bookAndCancel(t, r.port) }

func (r *rpcRig) bookRepeat(t kit.T) {
	holdTwiceOneAppointment(t, r.port)
	req, a := r.port.held(t)
	if _, err := r.port.mis.Hold(t.Context(), req); err != nil {
		t.Fatalf("repeating the hold of %s: %v", a.ID, err)
	}
	live := 0
	for _, rc := range r.receptions(t) {
		if rc.ID == a.ID && rc.Status == jsonrpc.StatusBooked {
			live++
		}
		if rc.ID != a.ID && rc.Status == jsonrpc.StatusBooked && slotOf(rc) == req.SlotID {
			t.Errorf("a second live appointment %s on the slot of %s", rc.ID, a.ID)
		}
	}
	if live != 1 {
		t.Errorf("the patient's read-back shows %s live %d times, want once", a.ID, live)
	}
}

// slotOf is the adapter's name of a reception's slot, as regions/jsonrpc
// builds it: resource~start in UTC~minutes.
func slotOf(rc jsonrpc.Reception) string {
	start, err1 := time.Parse(time.RFC3339, rc.StartTime)
	end, err2 := time.Parse(time.RFC3339, rc.EndTime)
	if err1 != nil || err2 != nil {
		return ""
	}
	return rc.AvailableResourceID + "~" + start.UTC().Format("20060102T1504Z") + "~" + strconv.Itoa(int(end.Sub(start).Minutes()))
}

func (r *rpcRig) receptions(t kit.T) []jsonrpc.Reception {
	t.Helper()
	var res jsonrpc.ReceptionsResult
	r.ok(t, jsonrpc.MethodReceptions, jsonrpc.ReceptionsParams{OmsNumber: r.t.Patient.OMS, BirthDate: r.t.Patient.BirthDate}, &res)
	return res.Appointments
}

func (r *rpcRig) bookTaken(t kit.T) {
	s, _ := r.booked(t)
	other := syntheticPatient()
	wantError(t, r.create(t, s, other.OMS, other.BirthDate), "createAppointment on a taken slot", jsonrpc.CodeSlotTaken)
	takenRefused(t, r.port)
}

func (r *rpcRig) cancelRepeat(t kit.T) {
	s, id := r.booked(t)
	for i := range 2 {
		var res jsonrpc.CancelResult
		a := r.ok(t, jsonrpc.MethodCancel, jsonrpc.CancelParams{AppointmentID: id}, &res)
		if res.ID != id || res.Status != jsonrpc.StatusCancelled {
			t.Errorf("cancelAppointment #%d of %s answered %+v, want cancelled; %s", i+1, id, res, a.exchange)
		}
	}
	var res jsonrpc.ScheduleResult
	r.ok(t, jsonrpc.MethodSchedule, jsonrpc.ScheduleParams{AvailableResourceID: s.AvailableResource.ID, StartTime: s.StartTime}, &res)
	if got := flat(res.ScheduleOfDay); len(got) != 1 || !got[0].Available {
		t.Errorf("slot %s after the cancel: %+v, want it available", slotName(s), got)
	}
}

func (r *rpcRig) cancelUnknown(t kit.T) {
	wantError(t, r.call(t, jsonrpc.MethodCancel, jsonrpc.CancelParams{AppointmentID: "conformance-no-such-appointment"}, nil),
		"cancelAppointment of an unknown appointment", jsonrpc.CodeAppointmentUnknown)
}

func (r *rpcRig) readBack(t kit.T) {
	s, id := r.booked(t)
	i := slices.IndexFunc(r.receptions(t), func(rc jsonrpc.Reception) bool { return rc.ID == id })
	if i < 0 {
		t.Fatalf("the patient's read-back lacks appointment %s", id)
	}
	rc := r.receptions(t)[i]
	if rc.AvailableResourceID != s.AvailableResource.ID || rc.StartTime != s.StartTime || rc.EndTime != s.EndTime || rc.Status != jsonrpc.StatusBooked {
		t.Errorf("read back %+v, want resource %s %s–%s booked", rc, s.AvailableResource.ID, s.StartTime, s.EndTime)
	}
}

func (r *rpcRig) auth(t kit.T) {
	refusedWithoutToken(t, r.wire, func(w *rawClient) exchange {
		body := []byte(`{"jsonrpc":"2.0","id":1,"method":"` + jsonrpc.MethodSchedule + `","params":{"maxCount":1}}`)
		return w.do(t, t.Context(), http.MethodPost, r.t.URL, jsonrpc.MethodSchedule+" without token", http.Header{"Content-Type": {jsonrpc.ContentType}}, body)
	})
}
