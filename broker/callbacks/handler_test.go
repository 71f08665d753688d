package callbacks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/callbacks"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const (
	oldSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	newSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	otherKey  = "whsec_Zm9yZ2VkIHNlY3JldCBvZiBub2JvZHkh"
)

// published records what reached the publisher.
type published struct {
	mu     sync.Mutex
	events []contracts.ClinicEvent
}

func (p *published) Publish(_ context.Context, ev contracts.ClinicEvent) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, ev)
	return nil
}

func (p *published) all() []contracts.ClinicEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]contracts.ClinicEvent(nil), p.events...)
}

type fixture struct {
	url   string
	store *regionstatus.Store
	pub   *published
	keys  *auth.Pseudonymizer
}

func start(t *testing.T, secrets ...string) fixture {
	t.Helper()
	db, _ := sqldbtest.SQLite(t)
	store, err := callbacks.NewStore(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	statuses, err := regionstatus.NewStore(context.Background(), db, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := auth.NewPseudonymizer(bytes.Repeat([]byte("k"), 32))
	pub := &published{}
	h, err := callbacks.New(callbacks.Config{Store: store, Publisher: pub, Keys: keys, Rejections: statuses,
		Regions: []callbacks.Region{{Code: "77", Dialect: callbacks.JSONDialect, Secrets: secrets}}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/callbacks/{region}", func(w http.ResponseWriter, r *http.Request) {
		h.Serve(w, r, r.PathValue("region"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return fixture{url: srv.URL + "/api/v1/callbacks/", store: statuses, pub: pub, keys: keys}
}

type delivery struct {
	region, id, contentType string
	at                      time.Time
	body                    []byte
	secrets                 []string // each signs; the signatures are sent space-separated
	signature               string   // when set, sent as it is
}

func (f fixture) send(t *testing.T, d delivery) (int, string) {
	t.Helper()
	if d.region == "" {
		d.region = "77"
	}
	if d.at.IsZero() {
		d.at = time.Now()
	}
	if d.contentType == "" {
		d.contentType = "application/json"
	}
	sigs := []string{}
	if d.signature != "" {
		sigs = append(sigs, d.signature)
	}
	for _, s := range d.secrets {
		wh, _ := standardwebhooks.NewWebhook(s)
		one, _ := wh.Sign(d.id, d.at, d.body)
		sigs = append(sigs, one)
	}
	sig := strings.Join(sigs, " ")
	req, _ := http.NewRequest(http.MethodPost, f.url+d.region, bytes.NewReader(d.body))
	req.Header.Set("Content-Type", d.contentType)
	req.Header.Set("webhook-id", d.id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(d.at.Unix(), 10))
	if sig != "" {
		req.Header.Set("webhook-signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func cancelled(appt string) []byte {
	return fmt.Appendf(nil, `{"type":"appointment.cancelled","timestamp":"2026-12-01T10:00:00Z",
		"data":{"appointment_id":%q,"sequence":3,"reason":"clinic_closed"}}`, appt)
}

func rejected(t *testing.T, s *regionstatus.Store) map[string]int64 {
	t.Helper()
	rs, err := s.CallbackRejections(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rs {
		out[r.Region+"/"+r.Reason] = r.Count
	}
	return out
}

func TestASignedCallbackBecomesOneClinicEvent(t *testing.T) {
	f := start(t, oldSecret)
	status, body := f.send(t, delivery{id: "msg_1", body: cancelled("A-1"), secrets: []string{oldSecret}})
	if status != http.StatusAccepted {
		t.Fatalf("status %d %s, want 202", status, body)
	}
	evs := f.pub.all()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Region != "77" || ev.AppointmentID != "A-1" || ev.Change != contracts.ClinicCancelled ||
		ev.ReasonCode != "clinic_closed" || ev.Sequence != 3 || ev.EventID != callbacks.EventID("77", "msg_1") {
		t.Errorf("event %+v", ev)
	}
	var answer map[string]string
	_ = json.Unmarshal([]byte(body), &answer)
	if answer["event_id"] != ev.EventID {
		t.Errorf("answer %s does not name the event %s", body, ev.EventID)
	}
}

func TestRefusedCallbacksAre401AndCountedPerReason(t *testing.T) {
	f := start(t, oldSecret)
	cases := []struct {
		name, reason string
		d            delivery
	}{
		{"a forged signature is refused", callbacks.ReasonSignature,
			delivery{id: "f1", body: cancelled("A-1"), secrets: []string{otherKey}}},
		{"a signature of another body is refused", callbacks.ReasonSignature,
			delivery{id: "f2", body: cancelled("A-1"), signature: sigOf(oldSecret, "f2", cancelled("A-2"))}},
		{"a missing signature is refused", callbacks.ReasonMissing, delivery{id: "f3", body: cancelled("A-1")}},
		{"a timestamp 6 minutes old is refused", callbacks.ReasonStale,
			delivery{id: "f4", body: cancelled("A-1"), at: time.Now().Add(-6 * time.Minute), secrets: []string{oldSecret}}},
		{"a timestamp 6 minutes ahead is refused", callbacks.ReasonStale,
			delivery{id: "f5", body: cancelled("A-1"), at: time.Now().Add(6 * time.Minute), secrets: []string{oldSecret}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := rejected(t, f.store)["77/"+c.reason]
			status, body := f.send(t, c.d)
			if status != http.StatusUnauthorized || !bytes.Contains([]byte(body), []byte(`"code":"callback-unauthenticated"`)) {
				t.Errorf("answer %d %s, want the 401 problem", status, body)
			}
			if got := rejected(t, f.store)["77/"+c.reason]; got != before+1 {
				t.Errorf("%s counted %d, want %d", c.reason, got, before+1)
			}
		})
	}
	if n := len(f.pub.all()); n != 0 {
		t.Errorf("%d events published from refused callbacks", n)
	}
}

func sigOf(secret, id string, body []byte) string {
	wh, _ := standardwebhooks.NewWebhook(secret)
	s, _ := wh.Sign(id, time.Now(), body)
	return s
}

func TestARepeatedWebhookIDIsANoOpAnsweredAsTheFirstTime(t *testing.T) {
	f := start(t, oldSecret)
	d := delivery{id: "msg_r", body: cancelled("A-1"), secrets: []string{oldSecret}}
	s1, b1 := f.send(t, d)
	s2, b2 := f.send(t, d)
	if s1 != http.StatusAccepted || s1 != s2 || b1 != b2 {
		t.Errorf("first %d %s, repeat %d %s; want the same answer", s1, b1, s2, b2)
	}
	bad := delivery{id: "msg_bad", body: []byte(`{"type":"appointment.lost"}`), secrets: []string{oldSecret}}
	s3, b3 := f.send(t, bad)
	s4, b4 := f.send(t, bad)
	if s3 != http.StatusBadRequest || s3 != s4 || b3 != b4 {
		t.Errorf("undecodable first %d %s, repeat %d %s; want the same 400", s3, b3, s4, b4)
	}
	if n := len(f.pub.all()); n != 1 {
		t.Errorf("%d events published, want 1", n)
	}
	if got := rejected(t, f.store)["77/"+callbacks.ReasonUndecodable]; got != 1 {
		t.Errorf("undecodable counted %d times, want once (the repeat is the first's answer)", got)
	}
}

func TestSecretsRotate(t *testing.T) {
	during := start(t, oldSecret, newSecret)
	for i, secrets := range [][]string{{oldSecret}, {newSecret}, {oldSecret, newSecret}} {
		if s, b := during.send(t, delivery{id: fmt.Sprint("rot", i), body: cancelled("A-1"), secrets: secrets}); s != http.StatusAccepted {
			t.Errorf("during the rotation, signed by %d secret(s): %d %s", len(secrets), s, b)
		}
	}
	after := start(t, newSecret)
	if s, _ := after.send(t, delivery{id: "rot-old", body: cancelled("A-1"), secrets: []string{oldSecret}}); s != http.StatusUnauthorized {
		t.Errorf("signed by the removed secret: %d, want 401", s)
	}
	if s, _ := after.send(t, delivery{id: "rot-new", body: cancelled("A-1"), secrets: []string{newSecret}}); s != http.StatusAccepted {
		t.Errorf("signed by the new secret: %d, want 202", s)
	}
}

func TestBadBodiesAndRegions(t *testing.T) {
	f := start(t, oldSecret)
	cases := []struct {
		name   string
		d      delivery
		status int
		code   string
	}{
		{"an unknown member is refused as undecodable", delivery{id: "b1", secrets: []string{oldSecret},
			body: []byte(`{"type":"appointment.visited","timestamp":"2026-12-01T10:00:00Z","data":{"appointment_id":"A","who":"x"}}`)},
			http.StatusBadRequest, "callback-undecodable"},
		{"a cancellation without a reason is refused", delivery{id: "b2", secrets: []string{oldSecret},
			body: []byte(`{"type":"appointment.cancelled","timestamp":"2026-12-01T10:00:00Z","data":{"appointment_id":"A"}}`)},
			http.StatusBadRequest, "callback-undecodable"},
		{"a body over 16 KiB is refused", delivery{id: "b3", secrets: []string{oldSecret}, body: bytes.Repeat([]byte(" "), 17<<10)},
			http.StatusRequestEntityTooLarge, "callback-too-large"},
		{"XML for a fhir region is refused", delivery{id: "b4", secrets: []string{oldSecret}, body: cancelled("A"), contentType: "text/xml"},
			http.StatusUnsupportedMediaType, "callback-media-type"},
		{"an unknown region is 404", delivery{region: "99", id: "b5", secrets: []string{oldSecret}, body: cancelled("A")},
			http.StatusNotFound, "callback-no-region"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := f.send(t, c.d)
			if status != c.status || !bytes.Contains([]byte(body), []byte(`"code":"`+c.code+`"`)) {
				t.Errorf("answer %d %s, want %d %s", status, body, c.status, c.code)
			}
		})
	}
}

func TestABookingMadeElsewhereCarriesKeysNeverIdentifiers(t *testing.T) {
	f := start(t, oldSecret)
	body := []byte(`{"type":"appointment.booked_elsewhere","timestamp":"2026-12-01T10:00:00Z","data":{
		"appointment_id":"A-9","start":"2026-12-10T09:00:00Z","end":"2026-12-10T09:20:00Z","channel":"call_centre",
		"patient":{"snils":"112-233-445 95"},"specialty":"27","practitioner":"Dr Ivanova","location":"Clinic 1"}}`)
	if s, b := f.send(t, delivery{id: "e1", body: body, secrets: []string{oldSecret}}); s != http.StatusAccepted {
		t.Fatalf("%d %s", s, b)
	}
	ev := f.pub.all()[0]
	want := f.keys.PatientKeys("112-233-445 95", "")
	if len(ev.PatientKeys) != 1 || ev.PatientKeys[0] != want[0] || ev.Channel != "call_centre" || ev.FacilityName != "Clinic 1" ||
		ev.Specialty != "27" || ev.SpecialtyName != "Терапия" {
		t.Errorf("event %+v, want the SNILS's key %v and specialty 27 named from the directory", ev, want)
	}
	raw, _ := json.Marshal(ev)
	if bytes.Contains(raw, []byte("445")) {
		t.Errorf("the event carries the SNILS: %s", raw)
	}
}

func TestAnswersAreSweptAfterTheirTTL(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, another := open(t)
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		s, err := callbacks.NewStore(context.Background(), db, false, func() time.Time { return now }, nil)
		if err != nil {
			t.Fatal(err)
		}
		s2, _ := callbacks.NewStore(context.Background(), another(), true, func() time.Time { return now }, nil)
		ctx := context.Background()
		first := callbacks.Answer{Status: 202, ContentType: "application/json", Body: []byte(`{"a":1}`)}
		if _, err := s.Record(ctx, "77", "id", first); err != nil {
			t.Fatal(err)
		}
		got, err := s2.Record(ctx, "77", "id", callbacks.Answer{Status: 400, ContentType: "x", Body: []byte("other")})
		if err != nil || got.Status != 202 || string(got.Body) != `{"a":1}` {
			t.Errorf("a second record: %+v %v, want the first answer", got, err)
		}
		if a, _ := s.Answered(ctx, "50", "id"); a != nil {
			t.Errorf("another region's id: %+v, want none", a)
		}
		now = now.Add(48 * time.Hour)
		if n, err := s.Purge(ctx, now.Add(-24*time.Hour)); n != 1 || err != nil {
			t.Errorf("purge: %d %v, want 1", n, err)
		}
		if a, _ := s.Answered(ctx, "77", "id"); a != nil {
			t.Errorf("after the sweep: %+v, want none", a)
		}
	})
}
