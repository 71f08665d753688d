package system_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/fedhealth/federation/sagas"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// callbackRegions are a jsonrpc (77), a fhir (78) and a soap (16) region:
// the two kinds that send callbacks and one that sends none.
var callbackRegions = fleet.Regions[:3]

// newCallbackHarness is newHarness with the simulators' callbacks wired
// to the system: each simulator that sends them gets a secret, the system
// the same secrets, and once it runs the simulators its callback URL.
func newCallbackHarness(t *testing.T, tweak func(*system.Options)) *harness {
	t.Helper()
	sims, err := fleet.StartSimulators(callbackRegions, 7, 0, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.CloseAll(sims) })
	h := &harness{t: t, sims: map[string]*fleet.Simulator{}}
	for _, s := range sims {
		h.sims[s.Region.Code] = s
	}
	h.opts = system.Options{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Regions: fleet.RegistryConfigs(sims), DevIssuer: true,
		PseudonymKey: bytes.Repeat([]byte{1}, 32), SealKey: bytes.Repeat([]byte{2}, 32), Logger: testLogger(),
		KafkaBrokers: kafkaBrokers(), KafkaNamespace: testNamespace(),
		AllowOverlappingBookings: true, MaxActivePerCitizen: -1,
		CallbackSecrets: fleet.CallbackSecrets(sims),
	}
	if tweak != nil {
		tweak(&h.opts)
	}
	h.start()
	if err := fleet.PointCallbacks(sims, h.sys.CallbackURL); err != nil {
		t.Fatal(err)
	}
	return h
}

// clinicAnswer is a simulator's answer to a change made at the clinic.
type clinicAnswer struct {
	AppointmentID string                `json:"appointment_id"`
	Callback      missim.CallbackReport `json:"callback"`
}

// clinic makes a change at region's MIS through its admin endpoint.
func (h *harness) clinic(region, path, body string) clinicAnswer {
	h.t.Helper()
	resp, err := http.Post(h.sims[region].URL+"/admin/appointments"+path, "application/json", strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a clinicAnswer
	if resp.StatusCode/100 != 2 || json.Unmarshal(raw, &a) != nil {
		h.t.Fatalf("clinic %s %s: %d %s", region, path, resp.StatusCode, raw)
	}
	return a
}

// confirmed books a free slot of region for token and waits until it is
// confirmed; it returns the booking and the MIS's appointment id.
func (h *harness) confirmed(token, region string, nth int) (id, appt string) {
	h.t.Helper()
	id = h.book(token, h.freeSlots(token, region, nth+1)[nth].ID)
	h.waitStatus(token, id, 10*time.Second, "confirmed")
	return id, h.appointmentOf(id)
}

// misSlot is the MIS's id of a slot the API names REGION:ID.
func misSlot(apiID string) string { _, id, _ := strings.Cut(apiID, ":"); return id }

func TestTheClinicsChangesReachTheHistoryByCallback(t *testing.T) {
	h := newCallbackHarness(t, nil)
	tok := h.token("ivan")

	for _, region := range []string{"78", "16"} { // fhir: webhook; soap: UpdateAppointmentStatus
		id, appt := h.confirmed(tok, region, 0)
		if a := h.clinic(region, "/"+appt+"/status", `{"status":"cancelled","reason":"practitioner_unavailable"}`); a.Callback.Result != missim.CallbackSent {
			t.Fatalf("region %s: the callback was %+v", region, a.Callback)
		}
		h.until(tok, id, "cancelled by the clinic", func(v historyView) bool { return v.Status == "cancelled" })
		ru, en := h.view(tok, id, "ru"), h.view(tok, id, "en")
		last := en.Timeline[len(en.Timeline)-1]
		if ru.CancelledBy != "clinic" || ru.ReasonCode != "cancelled_by_clinic_practitioner_unavailable" || last.Source != "clinic" ||
			ru.Reason != sagas.Text(ru.ReasonCode, sagas.LangRU) || en.Reason != sagas.Text(ru.ReasonCode, sagas.LangEN) {
			t.Errorf("region %s: cancelled by %q for %q (ru %q, en %q), last entry %+v", region, ru.CancelledBy, ru.ReasonCode, ru.Reason, en.Reason, last)
		}
	}

	id, appt := h.confirmed(tok, "78", 1)
	was := h.view(tok, id, "en").Slot.Start
	var to slotView
	for _, s := range h.freeSlots(tok, "78", 50) {
		if !s.Start.Equal(was) {
			to = s // another time: the move must show
			break
		}
	}
	h.clinic("78", "/"+appt+"/status", fmt.Sprintf(`{"status":"moved","slot_id":%q}`, misSlot(to.ID)))
	v := h.until(tok, id, "moved by the clinic", func(v historyView) bool { return v.Slot.Start.Equal(to.Start) })
	last := v.Timeline[len(v.Timeline)-1]
	if v.Status != "confirmed" || last.Code != "moved_by_clinic" || last.PreviousStart == nil || !last.PreviousStart.Equal(was) {
		t.Errorf("after the move: %s, last entry %+v", v.Status, last)
	}

	// Maria's visit was booked at the registry desk an hour ago; she came.
	maria, petr := h.token("maria"), h.token("petr")
	start := time.Now().Add(-time.Hour).UTC().Truncate(time.Minute)
	desk := h.clinic("78", "", fmt.Sprintf(`{"start":%q,"end":%q,"snils":%q,"channel":"registry_desk"}`,
		start.Format(time.RFC3339), start.Add(20*time.Minute).Format(time.RFC3339), auth.SyntheticSNILS("maria")))
	mine := h.historyOf(maria, 1)[0]
	if mine.Source != "clinic" || mine.Channel != "registry_desk" || mine.Status != "confirmed" || !mine.Slot.Start.Equal(start) {
		t.Errorf("maria sees %+v", mine)
	}
	if others := h.historyOf(petr, 0); len(others) != 0 {
		t.Errorf("petr sees maria's booking: %+v", others)
	}
	h.clinic("78", "/"+desk.AppointmentID+"/status", `{"status":"visited"}`)
	h.until(maria, mine.ID, "the visit is recorded", func(v historyView) bool { return v.Status == "visited" })
}

// historyOf waits until token's history lists at least n bookings (n 0:
// reads it once, after a pause for anything on its way).
func (h *harness) historyOf(token string, n int) []historyView {
	h.t.Helper()
	if n == 0 {
		time.Sleep(500 * time.Millisecond)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var list struct{ Bookings []historyView }
		h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", token, "", nil), http.StatusOK, &list)
		if len(list.Bookings) >= n {
			return list.Bookings
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d bookings in the history within 10s, want %d", len(list.Bookings), n)
		}
	}
}

const (
	oldSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	newSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
)

// signed is one callback delivery as a test sends it.
type signed struct {
	region, id, contentType string
	body                    []byte
	at                      time.Time
	secrets                 []string
}

// deliver posts d to the system's callback URL and returns the answer.
func (h *harness) deliver(d signed) response {
	h.t.Helper()
	if d.at.IsZero() {
		d.at = time.Now()
	}
	if d.contentType == "" {
		d.contentType = "application/json"
	}
	var sigs []string
	for _, s := range d.secrets {
		wh, _ := standardwebhooks.NewWebhook(s)
		sig, _ := wh.Sign(d.id, d.at, d.body)
		sigs = append(sigs, sig)
	}
	req, _ := http.NewRequest(http.MethodPost, h.sys.CallbackURL+"/api/v1/callbacks/"+d.region, bytes.NewReader(d.body))
	req.Header.Set("Content-Type", d.contentType)
	req.Header.Set("webhook-id", d.id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(d.at.Unix(), 10))
	if len(sigs) > 0 {
		req.Header.Set("webhook-signature", strings.Join(sigs, " "))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func cancellation(appt, reason string) []byte {
	return fmt.Appendf(nil, `{"type":"appointment.cancelled","timestamp":%q,"data":{"appointment_id":%q,"reason":%q}}`,
		time.Now().UTC().Format(time.RFC3339Nano), appt, reason)
}

func TestForgedStaleReplayedAndRotatedCallbacks(t *testing.T) {
	h := newCallbackHarness(t, func(o *system.Options) {
		o.CallbackSecrets["78"] = []string{oldSecret, newSecret} // a rotation under way
	})
	tok := h.token("anna")
	id, appt := h.confirmed(tok, "78", 0)

	for name, d := range map[string]signed{
		"forged":  {region: "78", id: "f-1", body: cancellation(appt, "other"), secrets: []string{"whsec_Zm9yZ2VkIHNlY3JldCBvZiBub2JvZHkh"}},
		"stale":   {region: "78", id: "f-2", body: cancellation(appt, "other"), secrets: []string{newSecret}, at: time.Now().Add(-6 * time.Minute)},
		"missing": {region: "78", id: "f-3", body: cancellation(appt, "other")},
	} {
		if r := h.deliver(d); r.status != http.StatusUnauthorized || !bytes.Contains(r.body, []byte(`"code":"callback-unauthenticated"`)) ||
			r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s %s, want the 401 problem", name, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	soapBody, _ := soap.Marshal(soap.UpdateAppointmentStatusRequest{BookID: "B-1", Status: soap.StatusFulfilled, EventTime: time.Now().Format(time.RFC3339)})
	if r := h.deliver(signed{region: "16", id: "f-4", body: soapBody, contentType: soap.ContentType, secrets: []string{oldSecret}}); r.status != http.StatusUnauthorized ||
		!bytes.Contains(r.body, []byte("CALLBACK_UNAUTHENTICATED")) || !strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") {
		t.Errorf("a forged SOAP callback: %d %s", r.status, r.body)
	}
	if r := h.deliver(signed{region: "77", id: "f-5", body: cancellation(appt, "other"), secrets: []string{oldSecret}}); r.status != http.StatusNotFound {
		t.Errorf("a callback for a jsonrpc region: %d %s, want 404", r.status, r.body)
	}
	if v := h.view(tok, id, "en"); v.Status != "confirmed" {
		t.Fatalf("refused callbacks changed the booking: %s", v.Status)
	}
	metrics := string(h.internal("/metrics").body)
	for _, reason := range []string{"bad_signature", "stale_timestamp", "missing_headers"} {
		if !strings.Contains(metrics, `federation_callbacks_rejected_total{`) || !strings.Contains(metrics, `reason="`+reason+`"`) {
			t.Errorf("the metric does not count %s", reason)
		}
	}

	// Signed by the old secret, the new one, or both: all accepted while both are configured.
	first := h.deliver(signed{region: "78", id: "rot-old", body: cancellation(appt, "clinic_closed"), secrets: []string{oldSecret}})
	if first.status != http.StatusAccepted {
		t.Fatalf("signed by the old secret during the rotation: %d %s", first.status, first.body)
	}
	h.until(tok, id, "the cancellation applied", func(v historyView) bool { return v.Status == "cancelled" })
	again := h.deliver(signed{region: "78", id: "rot-old", body: cancellation(appt, "clinic_closed"), secrets: []string{newSecret, oldSecret}})
	if again.status != first.status || !bytes.Equal(again.body, first.body) {
		t.Errorf("the replay: %d %s, want the first answer %d %s", again.status, again.body, first.status, first.body)
	}
	_, appt2 := h.confirmed(tok, "78", 1)
	if r := h.deliver(signed{region: "78", id: "rot-new", body: cancellation(appt2, "other"), secrets: []string{newSecret}}); r.status != http.StatusAccepted {
		t.Errorf("signed by the new secret during the rotation: %d %s", r.status, r.body)
	}
	cancels := 0
	for _, e := range h.view(tok, id, "en").Timeline {
		if e.Status == "cancelled" {
			cancels++
		}
	}
	if cancels != 1 {
		t.Errorf("%d cancellations in the timeline after a replay, want 1", cancels)
	}

	h.opts.CallbackSecrets["78"] = []string{newSecret} // the rotation done: the old secret removed
	h.restart()
	if r := h.deliver(signed{region: "78", id: "after-1", body: cancellation(appt2, "other"), secrets: []string{oldSecret}}); r.status != http.StatusUnauthorized {
		t.Errorf("signed by the removed secret: %d %s, want 401", r.status, r.body)
	}
	if r := h.deliver(signed{region: "78", id: "rot-new", body: cancellation(appt2, "other"), secrets: []string{newSecret}}); r.status != http.StatusAccepted {
		t.Errorf("a replay after a restart: %d %s, want the first answer", r.status, r.body)
	}
}

func TestDuplicatedCallbacksApplyOnceAndDroppedOnesNot(t *testing.T) {
	h := newCallbackHarness(t, func(o *system.Options) { o.CallbackListen = "127.0.0.1:0" })
	if h.sys.CallbackURL == h.sys.URL {
		t.Fatal("with callback_listen the callbacks have no listener of their own")
	}
	if r := h.call(http.MethodPost, "/api/v1/callbacks/78", "", `{}`, nil); r.status != http.StatusNotFound {
		t.Errorf("the API listener serves callbacks beside their own listener: %d", r.status)
	}
	tok := h.token("oleg")
	dup, apptDup := h.confirmed(tok, "78", 0)
	drop, apptDrop := h.confirmed(tok, "78", 1)

	if err := h.sims["78"].SetFaults(missim.Faults{CallbackDuplicateRate: 1}); err != nil {
		t.Fatal(err)
	}
	if a := h.clinic("78", "/"+apptDup+"/status", `{"status":"cancelled","reason":"clinic_closed"}`); a.Callback.Result != missim.CallbackDuplicated {
		t.Fatalf("the duplicate fault: %+v", a.Callback)
	}
	v := h.until(tok, dup, "cancelled", func(v historyView) bool { return v.Status == "cancelled" })
	time.Sleep(300 * time.Millisecond) // a second application would land meanwhile
	v = h.view(tok, dup, "en")
	entries := 0
	for _, e := range v.Timeline {
		if e.Source == "clinic" {
			entries++
		}
	}
	if entries != 1 {
		t.Errorf("a callback delivered twice made %d clinic entries: %+v", entries, v.Timeline)
	}

	_ = h.sims["78"].SetFaults(missim.Faults{CallbackDropRate: 1})
	if a := h.clinic("78", "/"+apptDrop+"/status", `{"status":"cancelled"}`); a.Callback.Result != missim.CallbackDropped {
		t.Fatalf("the drop fault: %+v", a.Callback)
	}
	time.Sleep(time.Second)
	if v := h.view(tok, drop, "en"); v.Status != "confirmed" {
		t.Errorf("a dropped callback changed the booking: %s (reconciliation is what repairs it)", v.Status)
	}
}
