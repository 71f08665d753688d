package rpcsim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
)

func TestTheClinicsChangesAreMadeButSendNoCallback(t *testing.T) {
	sim, err := rpcsim.New(rpcsim.Config{Region: "77"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	start := time.Now().Add(-2 * time.Hour).Truncate(time.Minute)
	body := `{"start":"` + start.Format(time.RFC3339) + `","end":"` + start.Add(20*time.Minute).Format(time.RFC3339) + `","oms":"1234567890123456","channel":"kiosk"}`
	var a struct {
		AppointmentID string                `json:"appointment_id"`
		Callback      missim.CallbackReport `json:"callback"`
	}
	resp, err := http.Post(srv.URL+"/admin/appointments", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("book elsewhere: %v %v", resp.Status, err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	resp, _ = http.Post(srv.URL+"/admin/appointments/"+a.AppointmentID+"/status", "application/json", strings.NewReader(`{"status":"no-show"}`))
	_ = json.NewDecoder(resp.Body).Decode(&a)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || a.Callback.Result != missim.CallbackNone {
		t.Errorf("no-show: %d, callback %+v; want 200 and none", resp.StatusCode, a.Callback)
	}
	if got := sim.Appointments()[0].Status; got != jsonrpc.StatusNoShow {
		t.Errorf("at the MIS: %s, want noshow", got)
	}
}
