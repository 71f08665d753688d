package system_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/missim/feedsim"
	"github.com/fedhealth/federation/sagas"
)

// feedCode is the feed region of these tests, beside the fleet's fhir
// region 77; its publisher is a real feedsim served on loopback.
const feedCode = "27"

// withFeedRegion adds region 27 of kind feed, read from a feedsim
// publisher, to a harness's options, with the feed deadline given.
func withFeedRegion(t *testing.T, deadline time.Duration) func(*system.Options) {
	t.Helper()
	sim, err := feedsim.New(feedsim.Config{Region: feedCode, TimeZone: "Asia/Vladivostok", Seed: 11}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return func(o *system.Options) {
		o.Regions = append(o.Regions, regions.Config{Code: feedCode, Name: "Хабаровский край", TimeZone: "Asia/Vladivostok",
			Kind: contracts.RegionFeed, Feed: feed.Config{BaseURL: srv.URL, PollInterval: 200 * time.Millisecond, Timeout: 5 * time.Second}})
		if deadline > 0 {
			o.KindDeadlines = map[contracts.RegionKind]time.Duration{contracts.RegionFeed: deadline}
		}
	}
}

func (h *harness) operatorToken(id, region string) string {
	h.t.Helper()
	var out struct{ Token string }
	h.mustJSON(h.call(http.MethodPost, "/api/v1/dev/token", "", fmt.Sprintf(`{"operator_id":%q,"region":%q}`, id, region), nil), http.StatusOK, &out)
	return out.Token
}

// analystToken signs a demo ministry analyst's token.
func (h *harness) analystToken(id string) string {
	h.t.Helper()
	var out struct{ Token string }
	h.mustJSON(h.call(http.MethodPost, "/api/v1/dev/token", "", fmt.Sprintf(`{"analyst_id":%q}`, id), nil), http.StatusOK, &out)
	return out.Token
}

// feedSlots waits for the feed's first sync and returns n offered slots.
func (h *harness) feedSlots(token string, n int) []slotView {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := h.call(http.MethodGet, fmt.Sprintf("/api/v1/slots?region=%s&limit=%d", feedCode, n), token, "", nil)
		if r.status == http.StatusOK {
			var out struct{ Slots []slotView }
			h.mustJSON(r, http.StatusOK, &out)
			if len(out.Slots) < n {
				h.t.Fatalf("feed region: %d slots offered, want %d", len(out.Slots), n)
			}
			return out.Slots[:n]
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("the feed region never offered slots: %d %s", r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// offered reports whether the feed region's search offers slotID.
func (h *harness) offered(token, slotID string) bool {
	h.t.Helper()
	var out struct{ Slots []slotView }
	h.mustJSON(h.call(http.MethodGet, "/api/v1/slots?region="+feedCode+"&limit=1000", token, "", nil), http.StatusOK, &out)
	for _, sl := range out.Slots {
		if sl.ID == slotID {
			return true
		}
	}
	return false
}

type queueView struct {
	Items []struct {
		ID, Kind, Status, Region string
		Slot                     slotView
		AppointmentID            string `json:"mis_appointment_id"`
	}
	NextPageToken string `json:"next_page_token"`
}

func (h *harness) queue(token, query string) queueView {
	h.t.Helper()
	var q queueView
	h.mustJSON(h.call(http.MethodGet, "/api/v1/operator/queue"+query, token, "", nil), http.StatusOK, &q)
	return q
}

func (h *harness) queueIDs(token string) []string {
	var ids []string
	for _, it := range h.queue(token, "").Items {
		ids = append(ids, it.ID)
	}
	return ids
}

func (h *harness) operate(token, id, action, body string) response {
	h.t.Helper()
	keySeq++
	return h.call(http.MethodPost, "/api/v1/operator/bookings/"+id+"/"+action, token, body,
		map[string]string{"Idempotency-Key": fmt.Sprintf("op-%d-%d", time.Now().UnixNano(), keySeq)})
}

func TestAFeedBookingWaitsForTheRegionsOperatorWhoConfirmsIt(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen, op := h.token("feed-anna"), h.operatorToken("op1", feedCode)
	slot := h.feedSlots(citizen, 1)[0]

	var regs []map[string]any
	h.mustJSON(h.call(http.MethodGet, "/api/v1/regions", "", "", nil), http.StatusOK, &regs)
	for _, r := range regs {
		_, hasSync := r["last_sync"]
		switch {
		case r["code"] == feedCode && (r["kind"] != "feed" || r["availability"] != "known" || !hasSync):
			t.Errorf("the feed region is listed as %v, want kind feed, availability known and its last_sync", r)
		case r["code"] != feedCode && (hasSync || r["availability"] != nil):
			t.Errorf("a fhir region carries feed fields: %v", r)
		}
	}

	id := h.book(citizen, slot.ID)
	b := h.booking(citizen, id)
	if b.Status != "pending" || b.Timeline[len(b.Timeline)-1].Detail != "Awaiting confirmation by the clinic." {
		t.Fatalf("a new feed booking reads %s %+v", b.Status, b.Timeline)
	}
	if h.offered(citizen, slot.ID) {
		t.Fatal("a booked feed slot is still offered")
	}
	q := h.queue(op, "")
	if len(q.Items) != 1 || q.Items[0].ID != id || q.Items[0].Kind != "booking" || q.Items[0].Slot.ID != slot.ID {
		t.Fatalf("operator queue %+v, want the one booking with its slot", q)
	}
	raw := string(h.call(http.MethodGet, "/api/v1/operator/queue", op, "", nil).body)
	for name, v := range map[string]string{"SNILS": auth.SyntheticSNILS("feed-anna"), "OMS": auth.SyntheticOMS("feed-anna"),
		"birth date": auth.SyntheticBirthDate("feed-anna")} {
		if strings.Contains(raw, v) {
			t.Fatalf("the queue shows the citizen's %s %s: %s", name, v, raw)
		}
	}

	// Idempotency-Key is required, bodies are strict, an id is checked.
	if r := h.call(http.MethodPost, "/api/v1/operator/bookings/"+id+"/confirm", op, `{"mis_appointment_id":"APT-77"}`, nil); r.status != http.StatusBadRequest {
		t.Errorf("confirm without Idempotency-Key: %d %s", r.status, r.body)
	}
	if r := h.operate(op, id, "confirm", `{"mis_appointment_id":"APT-77","extra":1}`); r.status != http.StatusBadRequest {
		t.Errorf("confirm with an unknown member: %d %s", r.status, r.body)
	}
	if r := h.operate(op, id, "confirm", `{"mis_appointment_id":"APT 77; drop"}`); r.status != http.StatusBadRequest {
		t.Errorf("confirm with a malformed appointment id: %d %s", r.status, r.body)
	}
	key := map[string]string{"Idempotency-Key": "confirm-" + id}
	first := h.call(http.MethodPost, "/api/v1/operator/bookings/"+id+"/confirm", op, `{"mis_appointment_id":"APT-77"}`, key)
	again := h.call(http.MethodPost, "/api/v1/operator/bookings/"+id+"/confirm", op, `{"mis_appointment_id":"APT-77"}`, key)
	if first.status != http.StatusOK || again.status != http.StatusOK || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("confirm: %d %s, repeated: %d %s", first.status, first.body, again.status, again.body)
	}
	if b := h.waitStatus(citizen, id, 5*time.Second, "confirmed"); b.Timeline[len(b.Timeline)-1].Detail != "Confirmed by the clinic." {
		t.Errorf("the citizen's confirmed booking reads %+v", b.Timeline)
	}
	if ids := h.queueIDs(op); len(ids) != 0 {
		t.Errorf("a confirmed booking is still in the queue: %v", ids)
	}
	if r := h.operate(op, id, "decline", `{"reason_code":"other"}`); r.status != http.StatusConflict {
		t.Errorf("declining a confirmed booking: %d %s, want 409", r.status, r.body)
	}

	// The citizen cancels: the operator acknowledges, the slot is free again.
	if r := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", citizen, "", nil); r.status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	if b := h.booking(citizen, id); b.Status != "cancelling" {
		t.Fatalf("cancelled feed booking reads %s", b.Status)
	}
	q = h.queue(op, "")
	if len(q.Items) != 1 || q.Items[0].Kind != "cancellation" || q.Items[0].AppointmentID != "APT-77" {
		t.Fatalf("queue after the citizen cancelled: %+v", q)
	}
	if r := h.operate(op, id, "acknowledge", ""); r.status != http.StatusOK {
		t.Fatalf("acknowledge: %d %s", r.status, r.body)
	}
	h.waitStatus(citizen, id, 5*time.Second, "cancelled")
	if !h.offered(citizen, slot.ID) {
		t.Error("the slot of a cancelled feed booking is not offered again")
	}
	assertOperatorAudited(t, h, id)
}

// assertOperatorAudited checks the trail names the operator for each action on id.
func assertOperatorAudited(t *testing.T, h *harness, id string) {
	t.Helper()
	recs, err := h.sys.Audit.List(t.Context(), audit.Filter{BookingID: id})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if r.ActorKind == audit.RegionalOperator {
			if r.Actor != "op1@"+feedCode {
				t.Errorf("operator action recorded as %q", r.Actor)
			}
			seen[string(r.Action)] = true
		}
	}
	for _, a := range []string{"operator.confirm", "operator.acknowledge"} {
		if !seen[a] {
			t.Errorf("audit trail lacks %s by the operator: %v", a, seen)
		}
	}
}

func TestADeclinedFeedBookingShowsTheReasonAndFreesTheSlot(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen, op := h.token("feed-boris"), h.operatorToken("op1", feedCode)
	slot := h.feedSlots(citizen, 1)[0]
	id := h.book(citizen, slot.ID)
	if r := h.operate(op, id, "decline", `{"reason_code":"practitioner_absent","note":"SNILS 123-456-789 01 does not match"}`); r.status != http.StatusBadRequest {
		t.Errorf("a note holding a SNILS: %d %s, want 400", r.status, r.body)
	}
	r := h.operate(op, id, "decline", `{"reason_code":"closed_today"}`)
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "practitioner_absent") {
		t.Errorf("an unknown reason code: %d %s, want 400 listing the codes", r.status, r.body)
	}
	if r := h.operate(op, id, "decline", `{"reason":"SNILS 123-456-789 01 does not match"}`); r.status != http.StatusBadRequest {
		t.Errorf("a free-text reason holding a SNILS: %d %s, want 400 as for a note", r.status, r.body)
	}
	note := "Доктор в отпуске; запишитесь по телефону +7 (423) 123-45-67."
	if r := h.operate(op, id, "decline", fmt.Sprintf(`{"reason_code":"practitioner_absent","note":%q}`, note)); r.status != http.StatusOK {
		t.Fatalf("decline: %d %s", r.status, r.body)
	}
	b := h.waitStatus(citizen, id, 5*time.Second, "rejected")
	if want, _ := sagas.DeclineReason(sagas.DeclinePractitionerAbsent); b.Reason != want {
		t.Errorf("the citizen reads reason %q, want the code's sentence %q", b.Reason, want)
	}
	if last := b.Timeline[len(b.Timeline)-1].Detail; !strings.Contains(last, note) {
		t.Errorf("the citizen's timeline ends with %q, want the operator's note", last)
	}
	recs, err := h.sys.Audit.List(t.Context(), audit.Filter{BookingID: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.Action == audit.OperatorDecline && rec.Status == http.StatusOK && rec.Reason != "practitioner_absent" {
			t.Errorf("the decline is audited with reason %q, want only the code", rec.Reason)
		}
		if strings.Contains(rec.Reason+rec.Detail+rec.Target, "отпуске") {
			t.Errorf("the note reached the audit trail: %+v", rec)
		}
	}
	if r := h.operate(op, id, "confirm", `{"mis_appointment_id":"APT-1"}`); r.status != http.StatusConflict {
		t.Errorf("confirming a declined booking: %d %s, want 409", r.status, r.body)
	}
	if !h.offered(citizen, slot.ID) {
		t.Fatal("the slot of a declined booking is not offered again")
	}
	h.book(h.token("feed-vera"), slot.ID) // and can be booked again
}

func TestAnUnansweredFeedBookingFailsAtItsDeadlineAndLeavesTheQueue(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 2*time.Second))
	citizen, op := h.token("feed-gleb"), h.operatorToken("op1", feedCode)
	slot := h.feedSlots(citizen, 1)[0]
	id := h.book(citizen, slot.ID)
	if ids := h.queueIDs(op); len(ids) != 1 {
		t.Fatalf("queue %v, want the booking", ids)
	}
	b := h.waitStatus(citizen, id, 10*time.Second, "failed")
	if b.Reason != "The clinic did not confirm the booking in time. Nothing was booked; please choose another slot." {
		t.Errorf("expired feed booking's reason: %q", b.Reason)
	}
	if ids := h.queueIDs(op); len(ids) != 0 {
		t.Errorf("an expired booking is still in the queue: %v", ids)
	}
	if !h.offered(citizen, slot.ID) {
		t.Error("the slot of an expired booking is not offered again")
	}
	if r := h.operate(op, id, "confirm", `{"mis_appointment_id":"APT-1"}`); r.status != http.StatusConflict {
		t.Errorf("confirming an expired booking: %d %s, want 409", r.status, r.body)
	}
}

func TestOfTwoCitizensAskingForOneFeedSlotOneGetsIt(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	a, b := h.token("feed-dina"), h.token("feed-egor")
	slot := h.feedSlots(a, 1)[0]
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, tok := range []string{a, b} {
		wg.Go(func() {
			r := h.call(http.MethodPost, "/api/v1/bookings", tok, fmt.Sprintf(`{"slot_id":%q}`, slot.ID),
				map[string]string{"Idempotency-Key": fmt.Sprintf("race-%d", i)})
			statuses[i] = r.status
			if r.status == http.StatusConflict {
				if code := problemCode(t, r); code != "slot-taken" {
					t.Errorf("the loser's problem is %s, want slot-taken", code)
				}
			}
		})
	}
	wg.Wait()
	if !(statuses[0] == http.StatusAccepted && statuses[1] == http.StatusConflict) &&
		!(statuses[0] == http.StatusConflict && statuses[1] == http.StatusAccepted) {
		t.Fatalf("two citizens on one feed slot: %v, want one 202 and one 409", statuses)
	}
	if ids := h.queueIDs(h.operatorToken("op1", feedCode)); len(ids) != 1 {
		t.Fatalf("queue %v, want exactly one booking", ids)
	}

	// The race above may be decided by the slot check before the write;
	// the store's unique index must decide it too. Another instance books
	// a second slot behind this one's back (straight into the store) just
	// after this one read the booked slots, so the request passes the
	// check (its reading is under a second old) and only the index refuses.
	other := h.feedSlots(a, 2)[1]
	h.offered(a, other.ID) // this instance reads the booked slots now
	behind := sagas.NewOperatorBooking("00000000-0000-4000-8000-00000000beef", "another-instance", sagas.SlotSnapshot{
		ID: other.ID, MISSlotID: strings.TrimPrefix(other.ID, feedCode+":")}, feedCode, nil, "", time.Now(), time.Hour)
	if err := h.sys.Store.Create(t.Context(), behind); err != nil {
		t.Fatal(err)
	}
	r := h.call(http.MethodPost, "/api/v1/bookings", b, fmt.Sprintf(`{"slot_id":%q}`, other.ID),
		map[string]string{"Idempotency-Key": "past-the-check"})
	if r.status != http.StatusConflict || problemCode(t, r) != "slot-taken" {
		t.Fatalf("a booking past the slot check of a slot the store holds: %d %s, want 409 slot-taken from the index", r.status, r.body)
	}
}

func TestAnOperatorSeesOnlyTheirRegion(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen := h.token("feed-zoya")
	slot := h.feedSlots(citizen, 1)[0]
	id := h.book(citizen, slot.ID)
	elsewhere := h.operatorToken("op9", "77")
	if ids := h.queueIDs(elsewhere); len(ids) != 0 {
		t.Fatalf("another region's operator sees %v", ids)
	}
	mine := h.operate(elsewhere, id, "confirm", `{"mis_appointment_id":"APT-1"}`)
	missing := h.operate(elsewhere, "00000000-0000-4000-8000-000000000000", "confirm", `{"mis_appointment_id":"APT-1"}`)
	if mine.status != http.StatusNotFound || missing.status != http.StatusNotFound || problemCode(t, mine) != problemCode(t, missing) {
		t.Fatalf("another region's booking: %d %s; a missing one: %d %s; want the same 404", mine.status, mine.body, missing.status, missing.body)
	}
	if b := h.booking(citizen, id); b.Status != "pending" {
		t.Fatalf("another region's operator changed the booking to %s", b.Status)
	}

	// The region's own operator pages through the queue, oldest first.
	more := h.feedSlots(citizen, 2)
	want := []string{id, h.book(citizen, more[0].ID), h.book(citizen, more[1].ID)}
	op := h.operatorToken("op1", feedCode)
	first := h.queue(op, "?limit=2")
	if first.NextPageToken == "" {
		t.Fatalf("a full first page without a next_page_token: %+v", first)
	}
	second := h.queue(op, "?limit=2&page_token="+first.NextPageToken)
	var got []string
	for _, it := range append(first.Items, second.Items...) {
		got = append(got, it.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") || second.NextPageToken != "" {
		t.Fatalf("pages %v (then token %q), want %v oldest first", got, second.NextPageToken, want)
	}
	for _, q := range []string{"?page_token=not-ours", "?limit=1000", "?limit=2&limit=3", "?sort=newest"} {
		if r := h.call(http.MethodGet, "/api/v1/operator/queue"+q, op, "", nil); r.status != http.StatusBadRequest {
			t.Errorf("queue%s: %d %s, want 400", q, r.status, r.body)
		}
	}
}

func TestARestartKeepsBookedFeedSlotsOffTheSearch(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	citizen := h.token("feed-ilya")
	slots := h.feedSlots(citizen, 2)
	pending := h.book(citizen, slots[0].ID)
	confirmed := h.book(citizen, slots[1].ID)
	op := h.operatorToken("op1", feedCode)
	if r := h.operate(op, confirmed, "confirm", `{"mis_appointment_id":"APT-5"}`); r.status != http.StatusOK {
		t.Fatalf("confirm: %d %s", r.status, r.body)
	}
	h.restart()
	citizen = h.token("feed-ilya")
	h.feedSlots(citizen, 1) // the feed is read again
	for _, s := range slots {
		if h.offered(citizen, s.ID) {
			t.Errorf("after a restart slot %s of a live booking is offered again", s.ID)
		}
	}
	r := h.call(http.MethodPost, "/api/v1/bookings", h.token("feed-kira"), fmt.Sprintf(`{"slot_id":%q}`, slots[0].ID),
		map[string]string{"Idempotency-Key": "after-restart"})
	if r.status != http.StatusConflict {
		t.Errorf("booking a live booking's slot after a restart: %d %s, want 409", r.status, r.body)
	}
	if ids := h.queueIDs(h.operatorToken("op1", feedCode)); len(ids) != 1 || ids[0] != pending {
		t.Errorf("queue after the restart %v, want the pending booking", ids)
	}
}
