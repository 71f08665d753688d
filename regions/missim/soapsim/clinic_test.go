package soapsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestTheClinicsChangesAreSentAsSignedUpdateAppointmentStatus(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	var got []misv2.StatusCallback
	broker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wh, _ := standardwebhooks.NewWebhook(secret)
		if err := wh.Verify(body, r.Header); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/xml") {
			http.Error(w, "unsigned", http.StatusUnauthorized)
			return
		}
		cb, err := soap.DecodeStatusUpdate(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got = append(got, cb)
		w.Header().Set("Content-Type", soap.ContentType)
		_, _ = w.Write(soap.StatusUpdateAccepted("ev"))
	}))
	defer broker.Close()
	sim, err := soapsim.New(soapsim.Config{Region: "16"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Notifier().SetTarget(missim.CallbackTarget{URL: broker.URL, Secret: secret}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	post := func(path, body string, want int) (answer struct {
		AppointmentID string                `json:"appointment_id"`
		Callback      missim.CallbackReport `json:"callback"`
	}) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != want {
			raw, _ := io.ReadAll(resp.Body)
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
		}
		_ = json.NewDecoder(resp.Body).Decode(&answer)
		return answer
	}
	a := post("/admin/appointments", `{"slot_id":"SL-10","snils":"112-233-445 95","channel":"registry_desk"}`, http.StatusCreated)
	post("/admin/appointments/"+a.AppointmentID+"/status", `{"status":"moved","slot_id":"SL-11"}`, http.StatusOK)
	c := post("/admin/appointments/"+a.AppointmentID+"/status", `{"status":"cancelled","reason":"practitioner_unavailable"}`, http.StatusOK)
	if c.Callback.Result != missim.CallbackSent || len(got) != 3 {
		t.Fatalf("callback %+v, %d arrived", c.Callback, len(got))
	}
	if got[0].Type != misv2.CallbackBookedElsewhere || got[0].Data.Patient.SNILS != "112-233-445 95" || got[0].Data.Channel != "registry_desk" ||
		got[1].Type != misv2.CallbackMoved || got[1].Data.Sequence != 2 || got[2].Data.Reason != "practitioner_unavailable" {
		t.Errorf("callbacks %+v", got)
	}
	for _, appt := range sim.Appointments() {
		if appt.ID == a.AppointmentID && (appt.Status != soap.StatusCancelled || appt.SlotID != "SL-11") {
			t.Errorf("at the MIS: %+v", appt)
		}
	}
}
