package system_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/missim/feedsim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// The operator queue's guarantees beyond the happy paths of feed_test.go:
// the patient's disclosure, repeats, withdrawals, stale feeds, the audit
// of role probes, and several instances agreeing on what is booked.

func TestAnOperatorReadsThePatientOnlyWhileTheBookingWaitsForThem(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen, op := h.token("feed-olga"), h.operatorToken("op1", feedCode)
	id := h.book(citizen, h.feedSlots(citizen, 1)[0].ID)
	path := "/api/v1/operator/bookings/" + id + "/patient"

	r := h.call(http.MethodGet, path, op, "", nil)
	var p struct {
		SNILS     string `json:"snils"`
		OMS       string `json:"oms"`
		BirthDate string `json:"birth_date"`
	}
	h.mustJSON(r, http.StatusOK, &p)
	if p.SNILS != auth.SyntheticSNILS("feed-olga") || p.OMS != auth.SyntheticOMS("feed-olga") || p.BirthDate != auth.SyntheticBirthDate("feed-olga") {
		t.Errorf("patient %+v, want the citizen's token claims", p)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}

	elsewhere := h.call(http.MethodGet, path, h.operatorToken("op9", "77"), "", nil)
	missing := h.call(http.MethodGet, "/api/v1/operator/bookings/00000000-0000-4000-8000-000000000000/patient", op, "", nil)
	if elsewhere.status != http.StatusNotFound || missing.status != http.StatusNotFound {
		t.Errorf("another region's operator: %d %s; a missing booking: %d; want 404 both", elsewhere.status, elsewhere.body, missing.status)
	}
	if r := h.call(http.MethodGet, path, citizen, "", nil); r.status != http.StatusForbidden {
		t.Errorf("the citizen's own token on the operator endpoint: %d, want 403", r.status)
	}

	if r := h.operate(op, id, "confirm", `{"mis_appointment_id":"APT-31"}`); r.status != http.StatusOK {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	if r := h.call(http.MethodGet, path, op, "", nil); r.status != http.StatusConflict || problemCode(t, r) != "patient-erased" {
		t.Errorf("after confirmation: %d %s, want 409 patient-erased", r.status, r.body)
	}

	recs, err := h.sys.Audit.List(t.Context(), audit.Filter{BookingID: id})
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	for _, rec := range recs {
		raw, _ := json.Marshal(rec)
		if bytes.Contains(raw, []byte(p.SNILS)) || bytes.Contains(raw, []byte(p.OMS)) {
			t.Errorf("an audit record holds the patient's identifiers: %s", raw)
		}
		if rec.Action == audit.OperatorPatientRead && rec.ActorKind == audit.RegionalOperator && rec.Actor == "op1@"+feedCode {
			reads++
		}
	}
	if reads != 2 { // the disclosure and the refusal after confirmation
		t.Errorf("%d patient reads by op1 in the audit trail, want 2: %+v", reads, recs)
	}
}

func TestARepeatedOperatorActionWithTheSameEffectAnswersTheBooking(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen, op := h.token("feed-pavel"), h.operatorToken("op1", feedCode)
	slots := h.feedSlots(citizen, 2)
	confirmed, declined := h.book(citizen, slots[0].ID), h.book(citizen, slots[1].ID)

	for i := range 2 { // each with a new Idempotency-Key: not a replay
		if r := h.operate(op, confirmed, "confirm", `{"mis_appointment_id":"APT-40"}`); r.status != http.StatusOK ||
			!strings.Contains(string(r.body), `"confirmed"`) || r.header.Get("Idempotent-Replayed") == "true" {
			t.Fatalf("confirm #%d: %d %s", i+1, r.status, r.body)
		}
		if r := h.operate(op, declined, "decline", `{"reason_code":"duplicate"}`); r.status != http.StatusOK ||
			!strings.Contains(string(r.body), `"rejected"`) {
			t.Fatalf("decline #%d: %d %s", i+1, r.status, r.body)
		}
	}
	if r := h.operate(op, confirmed, "confirm", `{"mis_appointment_id":"APT-41"}`); r.status != http.StatusConflict {
		t.Errorf("confirming again with another appointment id: %d %s, want 409", r.status, r.body)
	}
	if r := h.operate(op, declined, "decline", `{"reason_code":"other"}`); r.status != http.StatusConflict {
		t.Errorf("declining again for another reason: %d %s, want 409", r.status, r.body)
	}
	if b := h.booking(citizen, confirmed); b.Status != "confirmed" || len(b.Timeline) != 2 {
		t.Errorf("after repeats the booking reads %s with timeline %+v: a repeat must change nothing", b.Status, b.Timeline)
	}
}

func TestACitizenWithdrawsAPendingFeedBooking(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen, op := h.token("feed-rita"), h.operatorToken("op1", feedCode)
	slot := h.feedSlots(citizen, 1)[0]
	id := h.book(citizen, slot.ID)
	if r := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", citizen, "", nil); r.status >= 300 {
		t.Fatalf("cancel of a pending feed booking: %d %s", r.status, r.body)
	}
	b := h.waitStatus(citizen, id, 5*time.Second, "cancelled")
	if last := b.Timeline[len(b.Timeline)-1].Detail; !strings.Contains(last, "before the clinic confirmed") {
		t.Errorf("the timeline ends with %q, want the withdrawal", last)
	}
	if ids := h.queueIDs(op); len(ids) != 0 {
		t.Errorf("a withdrawn booking is still in the queue: %v", ids)
	}
	if !h.offered(citizen, slot.ID) {
		t.Error("the slot of a withdrawn booking is not offered again")
	}
	if r := h.operate(op, id, "confirm", `{"mis_appointment_id":"APT-1"}`); r.status != http.StatusConflict {
		t.Errorf("confirming a withdrawn booking: %d %s, want 409", r.status, r.body)
	}
}

func TestASlotOfAStaleFeedIsNotBookedAsItIsNotOffered(t *testing.T) {
	sim, err := feedsim.New(feedsim.Config{Region: feedCode, TimeZone: "Asia/Vladivostok", Seed: 11}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	h := newHarness(t, 1, func(o *system.Options) {
		o.Regions = append(o.Regions, regions.Config{Code: feedCode, Name: "Хабаровский край", TimeZone: "Asia/Vladivostok",
			Kind: contracts.RegionFeed, Feed: feed.Config{BaseURL: srv.URL, PollInterval: 100 * time.Millisecond,
				StaleAfter: 500 * time.Millisecond, Timeout: 5 * time.Second}})
	})
	citizen := h.token("feed-semyon")
	slot := h.feedSlots(citizen, 1)[0] // searched, so the slot is in the search cache too
	if err := sim.SetFaults(feedsim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var search response
	for search = h.call(http.MethodGet, "/api/v1/slots?region="+feedCode, citizen, "", nil); search.status == http.StatusOK; search = h.call(http.MethodGet, "/api/v1/slots?region="+feedCode, citizen, "", nil) {
		if time.Now().After(deadline) {
			t.Fatal("the feed never turned stale")
		}
		time.Sleep(100 * time.Millisecond)
	}
	book := h.call(http.MethodPost, "/api/v1/bookings", citizen, fmt.Sprintf(`{"slot_id":%q}`, slot.ID),
		map[string]string{"Idempotency-Key": "stale-feed"})
	if search.status != http.StatusServiceUnavailable || book.status != search.status || problemCode(t, book) != problemCode(t, search) {
		t.Fatalf("stale feed: search %d %s, booking %d %s; want the same 503", search.status, search.body, book.status, book.body)
	}
}

func TestRoleProbesAreInTheAuditTrail(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen, op := h.token("feed-taras"), h.operatorToken("op1", feedCode)
	if r := h.call(http.MethodGet, "/api/v1/operator/queue", citizen, "", nil); r.status != http.StatusForbidden {
		t.Fatalf("a citizen on the queue: %d", r.status)
	}
	if r := h.call(http.MethodGet, "/api/v1/bookings", op, "", nil); r.status != http.StatusForbidden {
		t.Fatalf("an operator on a citizen's history: %d", r.status)
	}
	recs, err := h.sys.Audit.List(t.Context(), audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var citizenProbe, operatorProbe bool
	for _, r := range recs {
		citizenProbe = citizenProbe || (r.Action == audit.OperatorQueueRead && r.ActorKind == audit.Citizen && r.Status == http.StatusForbidden)
		operatorProbe = operatorProbe || (r.Action == audit.BookingList && r.ActorKind == audit.RegionalOperator &&
			r.Actor == "op1@"+feedCode && r.Status == http.StatusForbidden)
	}
	if !citizenProbe || !operatorProbe {
		t.Errorf("audit trail %+v: want the citizen's probe of the queue and the operator's of the history, both 403", recs)
	}
}

// twoInstances is two systems on one SQLite store (one data directory),
// each with its own slot caches and its own Kafka, trusting one
// identity provider whose operator claim is configured explicitly.
func twoInstances(t *testing.T) (a, b *harness, issuer *auth.DevIssuer) {
	t.Helper()
	sim, err := feedsim.New(feedsim.Config{Region: feedCode, TimeZone: "Asia/Vladivostok", Seed: 11}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	idp := httptest.NewServer(nil)
	t.Cleanup(idp.Close)
	issuer, err = auth.NewDevIssuer(idp.URL, "federation")
	if err != nil {
		t.Fatal(err)
	}
	idp.Config.Handler = issuer.Handler()
	dir := filepath.Join(t.TempDir(), "shared")
	var hs []*harness
	for range 2 {
		h := &harness{t: t, sims: map[string]*fleet.Simulator{}}
		h.opts = system.Options{
			Listen: "127.0.0.1:0", DataDir: dir, Issuer: issuer.Issuer(), Audience: "federation",
			OperatorClaim: auth.DefaultOperatorClaim,
			Regions: []regions.Config{{Code: feedCode, Name: "Хабаровский край", TimeZone: "Asia/Vladivostok", Kind: contracts.RegionFeed,
				Feed: feed.Config{BaseURL: srv.URL, PollInterval: 200 * time.Millisecond, Timeout: 5 * time.Second}}},
			PseudonymKey: bytes.Repeat([]byte{1}, 32), SealKey: bytes.Repeat([]byte{2}, 32), Logger: testLogger(),
			KafkaBrokers: kafkaBrokers(), KafkaNamespace: testNamespace(),
			AllowOverlappingBookings: true, MaxActivePerCitizen: -1, // many slots as one citizen (see newHarness)
		}
		h.start()
		hs = append(hs, h)
	}
	return hs[0], hs[1], issuer
}

// offeredWithin polls h's search until slotID is offered (want) or not,
// for up to 5 s: another instance's booking shows within a second.
func offeredWithin(h *harness, token, slotID string, want bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for h.offered(token, slotID) != want {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return true
}

func TestASlotBookedThroughOneInstanceIsNotOfferedByAnother(t *testing.T) {
	a, b, issuer := twoInstances(t)
	citizen, err := issuer.Issue("feed-uma", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	op, err := issuer.IssueOperator("op1", feedCode, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	slot := b.feedSlots(citizen, 1)[0] // b has read the booked slots (none) just now
	id := a.book(citizen, slot.ID)
	if !offeredWithin(b, citizen, slot.ID, false) || a.offered(citizen, slot.ID) {
		t.Fatal("a slot booked through instance a is still offered by b (or a)")
	}
	if r := b.call(http.MethodPost, "/api/v1/bookings", citizen, fmt.Sprintf(`{"slot_id":%q}`, slot.ID),
		map[string]string{"Idempotency-Key": "through-b"}); r.status != http.StatusConflict {
		t.Errorf("booking it again through b: %d %s, want 409", r.status, r.body)
	}
	if r := b.operate(op, id, "decline", `{"reason_code":"slot_unavailable"}`); r.status != http.StatusOK {
		t.Fatalf("decline through b: %d %s", r.status, r.body)
	}
	if !offeredWithin(a, citizen, slot.ID, true) || !offeredWithin(b, citizen, slot.ID, true) {
		t.Fatal("a declined booking's slot is not offered again by both instances")
	}
}
