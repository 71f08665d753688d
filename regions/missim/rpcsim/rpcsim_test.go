package rpcsim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
)

func start(t *testing.T, cfg rpcsim.Config) (*rpcsim.Server, string) {
	t.Helper()
	if cfg.Region == "" {
		cfg.Region = "77"
	}
	sim, err := rpcsim.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

// call posts body and decodes the answer.
func call(t *testing.T, url, body string) (int, jsonrpc.Response) {
	t.Helper()
	resp, err := http.Post(url+"/", jsonrpc.ContentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out jsonrpc.Response
	if resp.StatusCode != http.StatusServiceUnavailable {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("answer %q is not JSON-RPC: %v", raw, err)
		}
	}
	return resp.StatusCode, out
}

func TestTheSimulatorSpeaksJSONRPC(t *testing.T) {
	_, url := start(t, rpcsim.Config{})
	tests := []struct {
		name, body string
		code       int // 0: a result
		id         string
	}{
		{"rpc.discover answers the OpenRPC document", `{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}`, 0, "1"},
		{"a batch is refused", `[{"jsonrpc":"2.0","id":1,"method":"rpc.discover"}]`, jsonrpc.CodeInvalidRequest, "null"},
		{"a notification (no id) is refused", `{"jsonrpc":"2.0","method":"rpc.discover"}`, jsonrpc.CodeInvalidRequest, "null"},
		{"malformed JSON is a parse error", `{"jsonrpc":`, jsonrpc.CodeParseError, "null"},
		{"an unknown method is not found", `{"jsonrpc":"2.0","id":"a","method":"getPatientInfo3"}`, jsonrpc.CodeMethodNotFound, `"a"`},
		{"an unknown param is refused", `{"jsonrpc":"2.0","id":2,"method":"getAvailableResourceScheduleInfo","params":{"specialty":"x"}}`, jsonrpc.CodeInvalidParams, "2"},
		{"a short OMS policy is refused", `{"jsonrpc":"2.0","id":3,"method":"getAppointmentReceptionsByPatient","params":{"omsNumber":"123","birthDate":"1985-03-14"}}`, jsonrpc.CodeInvalidParams, "3"},
		{"an unknown appointment is unknown", `{"jsonrpc":"2.0","id":4,"method":"cancelAppointment","params":{"appointmentId":"1"}}`, jsonrpc.CodeAppointmentUnknown, "4"},
		{"a slot the resource does not have is unknown", `{"jsonrpc":"2.0","id":5,"method":"createAppointment","params":{"omsNumber":"7700000000001234","birthDate":"1985-03-14","availableResourceId":"3001","startTime":"2020-01-01T03:00:00+03:00","endTime":"2020-01-01T03:20:00+03:00"}}`, jsonrpc.CodeSlotUnknown, "5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp := call(t, url, tt.body)
			if string(resp.ID) != tt.id {
				t.Errorf("id %s, want %s", resp.ID, tt.id)
			}
			switch {
			case tt.code == 0 && (resp.Error != nil || len(resp.Result) == 0):
				t.Fatalf("got %+v, want a result", resp)
			case tt.code != 0 && (resp.Error == nil || resp.Error.Code != tt.code):
				t.Fatalf("got error %+v, want code %d", resp.Error, tt.code)
			}
		})
	}
}

func TestFaultsAndAdminAsMissim(t *testing.T) {
	sim, url := start(t, rpcsim.Config{})
	schedule := `{"jsonrpc":"2.0","id":1,"method":"getAvailableResourceScheduleInfo","params":{"maxCount":1}}`
	if err := sim.SetFaults(missim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	if status, _ := call(t, url, schedule); status != http.StatusServiceUnavailable {
		t.Errorf("down: HTTP %d, want 503", status)
	}
	if err := sim.SetFaults(missim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	if _, resp := call(t, url, schedule); resp.Error == nil || resp.Error.Code != jsonrpc.CodeBusy {
		t.Errorf("error rate 1: %+v, want busy", resp.Error)
	}

	// The admin endpoints: faults through PUT, the appointments made; a
	// commit followed by an internal error leaves the appointment made.
	put := func(body string) int {
		req, _ := http.NewRequest(http.MethodPut, url+"/admin/faults", bytes.NewBufferString(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := put(`{"error_after_commit_rate":1}`); code != http.StatusOK {
		t.Fatalf("PUT /admin/faults: %d", code)
	}
	if code := put(`{"error_rate":2}`); code != http.StatusBadRequest {
		t.Errorf("PUT an out-of-range fault: %d, want 400", code)
	}
	_, resp := call(t, url, schedule)
	var res jsonrpc.ScheduleResult
	if err := json.Unmarshal(resp.Result, &res); err != nil || len(res.ScheduleOfDay) == 0 {
		t.Fatalf("schedule: %s %v", resp.Result, err)
	}
	sl := res.ScheduleOfDay[0].ScheduleBySlot[0]
	create, _ := json.Marshal(jsonrpc.Request{JSONRPC: "2.0", ID: json.RawMessage("9"), Method: jsonrpc.MethodCreate,
		Params: mustJSON(t, jsonrpc.CreateParams{OmsNumber: "7700000000001234", BirthDate: "1985-03-14",
			AvailableResourceID: sl.AvailableResource.ID, StartTime: sl.StartTime, EndTime: sl.EndTime})})
	if status, resp := call(t, url, string(create)); status != http.StatusInternalServerError || resp.Error == nil || resp.Error.Code != jsonrpc.CodeInternalError {
		t.Fatalf("create after commit: HTTP %d %+v, want 500 internal error", status, resp.Error)
	}
	got, err := http.Get(url + "/admin/appointments")
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	var admin struct{ Appointments []missim.AdminAppointment }
	if err := json.NewDecoder(got.Body).Decode(&admin); err != nil || len(admin.Appointments) != 1 || admin.Appointments[0].Status != jsonrpc.StatusBooked {
		t.Fatalf("admin appointments: %+v %v, want the one committed before the error", admin, err)
	}
}

func TestAdminNeedsTheTokenWhenOneIsSet(t *testing.T) {
	_, url := start(t, rpcsim.Config{AdminToken: "a-long-enough-admin-token"})
	resp, err := http.Get(url + "/admin/faults")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("admin without the token: %d, want 401", resp.StatusCode)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
