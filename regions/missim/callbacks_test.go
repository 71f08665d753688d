package missim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const cbSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// receiver is a broker's callback endpoint that verifies and keeps what
// arrives.
type receiver struct {
	mu    sync.Mutex
	got   []misv2.StatusCallback
	ids   []string
	types []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	wh, _ := standardwebhooks.NewWebhook(cbSecret)
	if err := wh.Verify(body, r.Header); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	cb, err := misv2.DecodeStatusCallback(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.got, rc.ids, rc.types = append(rc.got, cb), append(rc.ids, r.Header.Get("webhook-id")), append(rc.types, r.Header.Get("Content-Type"))
	rc.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

type clinicAnswer struct {
	AppointmentID string                `json:"appointment_id"`
	Sequence      int64                 `json:"sequence"`
	Callback      missim.CallbackReport `json:"callback"`
}

func adminPost(t *testing.T, url, body string, want int) clinicAnswer {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: %d %s, want %d", url, resp.StatusCode, raw, want)
	}
	var a clinicAnswer
	_ = json.Unmarshal(raw, &a)
	return a
}

func TestTheClinicsChangesAreMadeAndSentAsSignedCallbacks(t *testing.T) {
	sim, err := missim.New(missim.Config{Region: "78", Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	rc := &receiver{}
	broker := httptest.NewServer(rc)
	defer broker.Close()

	start := time.Now().Add(-time.Hour).Truncate(time.Minute)
	walkIn := `{"start":"` + start.Format(time.RFC3339) + `","end":"` + start.Add(20*time.Minute).Format(time.RFC3339) + `","snils":"112-233-445 95","channel":"registry_desk"}`
	if a := adminPost(t, srv.URL+"/admin/appointments", walkIn, http.StatusCreated); a.Callback.Result != missim.CallbackUnconfigured {
		t.Errorf("without a target: %+v", a.Callback)
	}
	if err := sim.Notifier().SetTarget(missim.CallbackTarget{URL: broker.URL, Secret: cbSecret}); err != nil {
		t.Fatal(err)
	}
	a := adminPost(t, srv.URL+"/admin/appointments", `{"slot_id":"S-40","oms":"1234567890123456","channel":"call_centre"}`, http.StatusCreated)
	if a.Callback.Result != missim.CallbackSent || a.Callback.Status != http.StatusAccepted {
		t.Fatalf("booked elsewhere: %+v", a)
	}
	moved := adminPost(t, srv.URL+"/admin/appointments/"+a.AppointmentID+"/status", `{"status":"moved","slot_id":"S-41"}`, http.StatusOK)
	cancelled := adminPost(t, srv.URL+"/admin/appointments/"+a.AppointmentID+"/status", `{"status":"cancelled","reason":"clinic_closed"}`, http.StatusOK)
	adminPost(t, srv.URL+"/admin/appointments/"+a.AppointmentID+"/status", `{"status":"visited"}`, http.StatusConflict) // cancelled stays cancelled
	adminPost(t, srv.URL+"/admin/appointments/A-1/status", `{"status":"visited"}`, http.StatusOK)
	adminPost(t, srv.URL+"/admin/appointments/A-1/status", `{"status":"no-show"}`, http.StatusOK) // a correction
	adminPost(t, srv.URL+"/admin/appointments/A-99/status", `{"status":"visited"}`, http.StatusNotFound)
	adminPost(t, srv.URL+"/admin/appointments/A-1/status", `{"status":"lost"}`, http.StatusBadRequest)
	if moved.Sequence != 2 || cancelled.Sequence != 3 {
		t.Errorf("sequences %d, %d; want 2, 3", moved.Sequence, cancelled.Sequence)
	}
	want := []string{misv2.CallbackBookedElsewhere, misv2.CallbackMoved, misv2.CallbackCancelled, misv2.CallbackVisited, misv2.CallbackNoShow}
	if len(rc.got) != len(want) {
		t.Fatalf("%d callbacks arrived, want %d", len(rc.got), len(want))
	}
	for i, cb := range rc.got {
		if cb.Type != want[i] || rc.types[i] != "application/json" {
			t.Errorf("callback %d: %s (%s), want %s", i, cb.Type, rc.types[i], want[i])
		}
	}
	if d := rc.got[0].Data; d.Patient == nil || d.Patient.OMS != "1234567890123456" || d.Channel != "call_centre" || d.AppointmentID != a.AppointmentID {
		t.Errorf("booked elsewhere reported as %+v", d)
	}
	if d := rc.got[1].Data; d.Start.IsZero() || d.Sequence != 2 {
		t.Errorf("the move reported as %+v", d)
	}
	if rc.got[2].Data.Reason != "clinic_closed" {
		t.Errorf("the cancellation reported as %+v", rc.got[2].Data)
	}
	for _, appt := range sim.Appointments() {
		if appt.ID == a.AppointmentID && (appt.Status != misv2.StatusCancelled || appt.SlotID != "S-41") {
			t.Errorf("at the MIS: %+v, want cancelled on S-41", appt)
		}
	}
}

func TestCallbackFaultsDropOrDuplicate(t *testing.T) {
	sim, _ := missim.New(missim.Config{Region: "78", Seed: 1}, nil)
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	rc := &receiver{}
	broker := httptest.NewServer(rc)
	defer broker.Close()
	_ = sim.Notifier().SetTarget(missim.CallbackTarget{URL: broker.URL, Secret: cbSecret})

	_ = sim.SetFaults(missim.Faults{CallbackDropRate: 1})
	a := adminPost(t, srv.URL+"/admin/appointments", `{"slot_id":"S-40","oms":"1234567890123456","channel":"kiosk"}`, http.StatusCreated)
	if a.Callback.Result != missim.CallbackDropped || len(rc.got) != 0 {
		t.Errorf("dropped: %+v, %d arrived", a.Callback, len(rc.got))
	}
	_ = sim.SetFaults(missim.Faults{CallbackDuplicateRate: 1})
	d := adminPost(t, srv.URL+"/admin/appointments/"+a.AppointmentID+"/status", `{"status":"cancelled"}`, http.StatusOK)
	if d.Callback.Result != missim.CallbackDuplicated || len(rc.got) != 2 || rc.ids[0] != rc.ids[1] || rc.ids[0] != d.Callback.WebhookID {
		t.Errorf("duplicated: %+v, ids %v", d.Callback, rc.ids)
	}
	if rc.got[0].Data.Reason != "other" {
		t.Errorf("a cancellation without a reason is reported with %q, want other", rc.got[0].Data.Reason)
	}
	if err := sim.SetFaults(missim.Faults{CallbackDropRate: 2}); err == nil {
		t.Error("a drop rate of 2 was accepted")
	}
	if !bytes.Contains([]byte(rc.types[0]), []byte("json")) {
		t.Errorf("content type %q", rc.types[0])
	}
}
