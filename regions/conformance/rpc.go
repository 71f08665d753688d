package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/regions/jsonrpc"
)

// rpcRig is what the JSON-RPC requirements share: the adapter behind the
// port, and the raw wire for the envelope and the methods themselves.
type rpcRig struct {
	rig
	ids atomic.Int64
}

// newRPCAdapter is the one place the kit builds the jsonrpc adapter, with
// the target's endpoint, credentials and ledger.
func newRPCAdapter(t Target) (*jsonrpc.Client, error) {
	return jsonrpc.New(jsonrpc.Config{Region: t.Region, EndpointConfig: t.endpoint()}, t.Ledger, nil)
}

func newRPCSuite(t Target) (*Suite, error) {
	c, err := newRPCAdapter(t)
	if err != nil {
		return nil, err
	}
	base, err := newRig(t, c)
	if err != nil {
		return nil, err
	}
	return &Suite{Requirements: rpcRequirements(&rpcRig{rig: base}), closers: []io.Closer{c}}, nil
}

// rpcAnswer is a raw call's outcome: the exchange and the decoded
// envelope.
type rpcAnswer struct {
	exchange
	resp jsonrpc.Response
}

// post sends body as one JSON-RPC call and decodes the envelope; a body
// that is no JSON object ends the requirement.
func (r *rpcRig) post(t kit.T, op string, body []byte) rpcAnswer {
	t.Helper()
	ex := r.wire.do(t, t.Context(), http.MethodPost, r.t.URL, op, http.Header{"Content-Type": {jsonrpc.ContentType}}, body)
	a := rpcAnswer{exchange: ex}
	if err := json.Unmarshal(ex.body, &a.resp); err != nil {
		t.Fatalf("%s: the answer is not one JSON-RPC object (%v); %s", op, err, ex)
	}
	return a
}

// callID makes method with params under id and checks the envelope:
// version 2.0, the id echoed (the call's id is readable, so null is not
// allowed), exactly one of result and error. out, when the answer is a result, receives it.
func (r *rpcRig) callID(t kit.T, id json.RawMessage, method string, params, out any) rpcAnswer {
	t.Helper()
	p, err := json.Marshal(params)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	body, _ := json.Marshal(jsonrpc.Request{JSONRPC: jsonrpc.Version, ID: id, Method: method, Params: p})
	a := r.post(t, method, body)
	checkEnvelope(t, a, id)
	if a.resp.Error == nil && out != nil {
		if err := json.Unmarshal(a.resp.Result, out); err != nil {
			t.Fatalf("%s: the result does not decode (%v); %s", method, err, a.exchange)
		}
	}
	return a
}

func (r *rpcRig) call(t kit.T, method string, params, out any) rpcAnswer {
	t.Helper()
	return r.callID(t, json.RawMessage(strconv.FormatInt(r.ids.Add(1), 10)), method, params, out)
}

// ok is call for an answer that must be a result.
func (r *rpcRig) ok(t kit.T, method string, params, out any) rpcAnswer {
	t.Helper()
	a := r.call(t, method, params, out)
	if a.resp.Error != nil {
		t.Fatalf("%s: error %d; %s", method, a.resp.Error.Code, a.exchange)
	}
	return a
}

func checkEnvelope(t kit.T, a rpcAnswer, id json.RawMessage) {
	t.Helper()
	got := bytes.TrimSpace(a.resp.ID)
	hasResult := len(a.resp.Result) > 0 && string(a.resp.Result) != "null"
	switch {
	case a.resp.JSONRPC != jsonrpc.Version:
		t.Errorf("jsonrpc is %q, want %q; %s", a.resp.JSONRPC, jsonrpc.Version, a.exchange)
	case hasResult == (a.resp.Error != nil):
		t.Errorf("the answer has both or neither of result and error; %s", a.exchange)
	case !bytes.Equal(got, id):
		t.Errorf("the answer's id is %s, the call's %s; %s", got, id, a.exchange)
	}
}

// wantError checks that a is an error object with code.
func wantError(t kit.T, a rpcAnswer, what string, code int) {
	t.Helper()
	switch {
	case a.resp.Error == nil:
		t.Errorf("%s: answered a result, want error %d; %s", what, code, a.exchange)
	case a.resp.Error.Code != code:
		t.Errorf("%s: error code %d, want %d; %s", what, a.resp.Error.Code, code, a.exchange)
	case a.resp.Error.Message == "":
		t.Errorf("%s: the error object has no message; %s", what, a.exchange)
	}
}

// slots lists available slots over the next two weeks, at most max.
func (r *rpcRig) slots(t kit.T, max int) []jsonrpc.DaySchedule {
	t.Helper()
	today := time.Now().In(r.loc)
	var res jsonrpc.ScheduleResult
	r.ok(t, jsonrpc.MethodSchedule, jsonrpc.ScheduleParams{StartDate: today.Format(time.DateOnly),
		EndDate: today.AddDate(0, 0, 14).Format(time.DateOnly), MaxCount: max}, &res)
	return res.ScheduleOfDay
}

func flat(days []jsonrpc.DaySchedule) []jsonrpc.ScheduleSlot {
	var out []jsonrpc.ScheduleSlot
	for _, d := range days {
		out = append(out, d.ScheduleBySlot...)
	}
	return out
}

// create books slot s raw for the patient and cancels it at the end.
func (r *rpcRig) create(t kit.T, s jsonrpc.ScheduleSlot, oms, birth string) rpcAnswer {
	t.Helper()
	var res jsonrpc.CreateResult
	a := r.call(t, jsonrpc.MethodCreate, jsonrpc.CreateParams{OmsNumber: oms, BirthDate: birth,
		AvailableResourceID: s.AvailableResource.ID, StartTime: s.StartTime, EndTime: s.EndTime}, &res)
	if a.resp.Error == nil && res.ID != "" {
		id := res.ID
		t.Cleanup(func() {
			body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 0, "method": jsonrpc.MethodCancel,
				"params": jsonrpc.CancelParams{AppointmentID: id}})
			req, err := http.NewRequest(http.MethodPost, r.t.URL, bytes.NewReader(body))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", jsonrpc.ContentType)
			if r.wire.token != "" {
				req.Header.Set("Authorization", "Bearer "+r.wire.token)
			}
			if resp, err := r.wire.hc.Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	return a
}

// booked books one free slot raw for the target's patient.
func (r *rpcRig) booked(t kit.T) (jsonrpc.ScheduleSlot, string) {
	t.Helper()
	for _, s := range flat(r.slots(t, 20)) {
		a := r.create(t, s, r.t.Patient.OMS, r.t.Patient.BirthDate)
		if a.resp.Error != nil && a.resp.Error.Code == jsonrpc.CodeSlotTaken {
			continue
		}
		if a.resp.Error != nil {
			t.Fatalf("createAppointment: error %d; %s", a.resp.Error.Code, a.exchange)
		}
		var res jsonrpc.CreateResult
		_ = json.Unmarshal(a.resp.Result, &res) // decoded once by call
		if res.ID == "" {
			t.Fatalf("createAppointment answered no id; %s", a.exchange)
		}
		return s, res.ID
	}
	t.Fatal("no free slot could be booked in the next two weeks")
	return jsonrpc.ScheduleSlot{}, ""
}

func slotName(s jsonrpc.ScheduleSlot) string {
	return fmt.Sprintf("%s at %s", s.AvailableResource.ID, s.StartTime)
}
