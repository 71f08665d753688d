package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/fedhealth/federation/sagas/store"
)

// oneFeedRegion is a registry of feed region 27 only.
type oneFeedRegion struct{}

func (oneFeedRegion) MIS(string) (contracts.MIS, error) { return nil, errors.New("a feed has no MIS") }
func (oneFeedRegion) Regions() []contracts.Region {
	return []contracts.Region{{Code: "27", Kind: contracts.RegionFeed}}
}
func (oneFeedRegion) Status(string) contracts.RegionStatus    { return contracts.RegionAvailable }
func (oneFeedRegion) Location(string) *time.Location          { return time.UTC }
func (oneFeedRegion) FeedSync(string) (time.Time, bool, bool) { return time.Now(), true, true }

// operatorAPI is the whole API over real stores (one SQLite database), a
// development issuer served on loopback and the clinic path up to the
// outbox: booking b1 of feed region 27 is confirmed with appointment
// APT-1 and starts in two days.
type operatorAPI struct {
	url   string
	dev   *auth.DevIssuer
	store *store.DB
	audit *audit.Store
}

func newOperatorAPI(t *testing.T) *operatorAPI {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dev, err := auth.NewDevIssuer("http://"+ln.Addr().String(), "federal-portal")
	if err != nil {
		t.Fatal(err)
	}
	idp := httptest.NewUnstartedServer(dev.Handler())
	idp.Listener.Close()
	idp.Listener = ln
	idp.Start()
	t.Cleanup(idp.Close)
	pseudo, _ := auth.NewPseudonymizer(bytes.Repeat([]byte{1}, 32))
	sealer, _ := auth.NewSealer(bytes.Repeat([]byte{2}, 32))
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{Issuer: dev.Issuer(), Audience: "federal-portal",
		Pseudonyms: pseudo, OperatorClaim: auth.DefaultOperatorClaim}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = verifier.Close() })
	db, _ := sqldbtest.SQLite(t)
	st, err := store.New(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idem, err := idempotency.New(ctx, db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	trail, err := audit.New(ctx, db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := bookings.New(bookings.Config{Regions: oneFeedRegion{}, Bookings: st, Pseudonyms: pseudo, Sealer: sealer,
		Feeds: oneFeedRegion{}, Queue: st, Clinic: clinic.NewPublisher(st), Confirmed: st})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Bookings: svc, Idempotency: idem, Verifier: verifier, Audit: trail})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	b := sagas.NewOperatorBooking("b1", "c1", sagas.SlotSnapshot{ID: "27:S-1", MISSlotID: "S-1", Start: start, End: start.Add(20 * time.Minute)},
		"27", nil, "", time.Now(), time.Hour)
	if err := st.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, "b1", func(b *sagas.Booking) error { return b.OperatorConfirm("APT-1", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	return &operatorAPI{url: srv.URL, dev: dev, store: st, audit: trail}
}

func (a *operatorAPI) post(t *testing.T, operator, region, id, key, body string) (*http.Response, []byte) {
	t.Helper()
	tok, err := a.dev.IssueOperator(operator, region, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, a.url+"/api/v1/operator/bookings/"+id+"/status", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(HeaderIdempotencyKey, key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// clinicEvents are the clinic events in the outbox, decoded.
func (a *operatorAPI) clinicEvents(t *testing.T) []contracts.ClinicEvent {
	t.Helper()
	recs, err := a.store.FetchOutbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []contracts.ClinicEvent
	for _, r := range recs {
		if r.Topic == contracts.TopicClinic {
			ev, err := contracts.DecodeClinicEvent(r.Payload)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ev)
		}
	}
	return out
}

func TestAnOperatorsMoveIsPublishedOnceAndAuditedWithTheOperator(t *testing.T) {
	a := newOperatorAPI(t)
	start := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	body := `{"status":"moved","start":"` + start + `","note":"Врач заболел."}`
	resp, first := a.post(t, "op1", "27", "b1", "move-1", body)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("moved: %d %s", resp.StatusCode, first)
	}
	var got clinicStatusAnswerJSON
	if err := json.Unmarshal(first, &got); err != nil || got.ID != "b1" || got.Status != "moved" || got.EventID == "" ||
		got.BookingStatus != sagas.StatusConfirmed || strings.Contains(string(first), "Врач") {
		t.Fatalf("answer %s (%v): want the event, the status, never the note", first, err)
	}
	again, replayed := a.post(t, "op1", "27", "b1", "move-1", body)
	if again.StatusCode != http.StatusAccepted || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first, replayed) {
		t.Fatalf("the same key again: %d %s (replayed %q)", again.StatusCode, replayed, again.Header.Get("Idempotent-Replayed"))
	}
	evs := a.clinicEvents(t)
	if len(evs) != 1 || evs[0].EventID != got.EventID || evs[0].Origin != contracts.ClinicOriginOperator ||
		evs[0].AppointmentID != "APT-1" || evs[0].Change != contracts.ClinicMoved {
		t.Fatalf("clinic events in the outbox %+v: want the one move, from the operator", evs)
	}
	recs, err := a.audit.List(context.Background(), audit.Filter{BookingID: "b1"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range recs {
		if r.Action == audit.OperatorClinicStatus && r.Status == http.StatusAccepted {
			n++
			if r.ActorKind != audit.RegionalOperator || r.Actor != "op1@27" || r.Reason != "moved" {
				t.Errorf("audit record %+v: want the operator and the status, never the note", r)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d audit records of the status, want one per call (the replay too)", n)
	}
}

func TestABadClinicStatusIsAProblemAndAnotherRegionsOperatorFindsNothing(t *testing.T) {
	a := newOperatorAPI(t)
	cases := []struct {
		name, operator, region, key, body string
		status                            int
		code                              string
	}{
		{"an unknown status is a 400 naming the statuses", "op1", "27", "k1", `{"status":"arrived"}`, http.StatusBadRequest, "invalid-request"},
		{"a malformed time is a 400", "op1", "27", "k2", `{"status":"moved","start":"tomorrow"}`, http.StatusBadRequest, "invalid-request"},
		{"an unknown member is a 400", "op1", "27", "k3", `{"status":"visited","when":"now"}`, http.StatusBadRequest, "invalid-request"},
		{"a visit before the start is a 400", "op1", "27", "k4", `{"status":"visited"}`, http.StatusBadRequest, "invalid-request"},
		{"a cancellation without a reason is a 400", "op1", "27", "k5", `{"status":"cancelled"}`, http.StatusBadRequest, "invalid-request"},
		{"no Idempotency-Key is a 400", "op1", "27", "", `{"status":"cancelled","reason_code":"other"}`, http.StatusBadRequest, "idempotency-key-missing"},
		{"another region's operator gets a 404", "op2", "25", "k6", `{"status":"cancelled","reason_code":"other"}`, http.StatusNotFound, "not-found"},
		{"a missing booking is a 404", "op1", "27", "k7", `{"status":"cancelled","reason_code":"other"}`, http.StatusNotFound, "not-found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := "b1"
			if strings.Contains(c.name, "missing") {
				id = "00000000-0000-0000-0000-000000000000"
			}
			resp, body := a.post(t, c.operator, c.region, id, c.key, c.body)
			var pr problem
			_ = json.Unmarshal(body, &pr)
			if resp.StatusCode != c.status || pr.Code != c.code || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%d %s, want %d %s as problem+json", resp.StatusCode, body, c.status, c.code)
			}
		})
	}
	if _, body := a.post(t, "op1", "27", "b1", "k8", `{"status":"arrived"}`); !strings.Contains(string(body), "visited, no-show, moved, cancelled") {
		t.Errorf("the problem for an unknown status does not list the statuses: %s", body)
	}
	if evs := a.clinicEvents(t); len(evs) != 0 {
		t.Fatalf("refused requests published %+v", evs)
	}
}
