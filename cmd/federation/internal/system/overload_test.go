package system_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim"
)

func TestARegionWhoseQueueIsTooLongRefusesNewBookingsAtOnceAndRecovers(t *testing.T) {
	h := newHarness(t, 1, func(o *system.Options) {
		o.BookingDeadline = 6 * time.Second // new bookings wait at most 3 s
		o.Regions[0].MIS.CallTimeout = 5 * time.Second
	})
	tok := h.token("alla")
	slots := h.freeSlots(tok, "77", 2)
	h.faults("77", missim.Faults{LatencyMS: 4000})
	first := h.book(tok, slots[0].ID) // its hold takes 4 s: the queue ages
	time.Sleep(3600 * time.Millisecond)

	r := h.call(http.MethodPost, "/api/v1/bookings", tok, fmt.Sprintf(`{"slot_id":%q}`, slots[1].ID),
		map[string]string{"Idempotency-Key": "busy-1"})
	var p struct{ Code, Detail string }
	_ = json.Unmarshal(r.body, &p)
	if r.status != http.StatusServiceUnavailable || p.Code != "region-busy" {
		t.Fatalf("POST while the oldest booking has waited 3.6 s of a 6 s deadline: %d %s, want 503 region-busy", r.status, r.body)
	}
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After %q, want whole seconds", r.header.Get("Retry-After"))
	}

	// The first booking's hold lands at 4 s, leaving 2 s for a 4 s book.
	if b := h.waitStatus(tok, first, 15*time.Second, "failed", "confirmed"); b.Status != "failed" {
		t.Errorf("first booking %s, want failed: its book could not finish in time", b.Status)
	}
	h.faults("77", missim.Faults{})
	if n := len(h.appointments("77")); n != 1 {
		t.Errorf("the clinic saw %d appointments, want only the first booking's hold: the refused one never reached it", n)
	}
	// The queue is empty again (admission reads it twice a second): the
	// same request, with the same key, is now taken.
	time.Sleep(600 * time.Millisecond)
	r = h.call(http.MethodPost, "/api/v1/bookings", tok, fmt.Sprintf(`{"slot_id":%q}`, slots[1].ID),
		map[string]string{"Idempotency-Key": "busy-1"})
	if r.status != http.StatusAccepted {
		t.Fatalf("POST once the queue drained: %d %s, want 202 (a refusal is not remembered)", r.status, r.body)
	}
}

func TestARequestRunAgainAfterItsAnswerWasLostFindsItsBookingNotATakenSlot(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("boris")
	slot := h.freeSlots(tok, "77", 1)[0]
	body := fmt.Sprintf(`{"slot_id":%q}`, slot.ID)
	key := map[string]string{"Idempotency-Key": "lost-answer-1"}
	var first bookingView
	h.mustJSON(h.call(http.MethodPost, "/api/v1/bookings", tok, body, key), http.StatusAccepted, &first)
	h.waitStatus(tok, first.ID, 10*time.Second, "confirmed")

	// The broker died after recording the booking and before recording
	// the answer to the key: after the restart the key is unknown, the slot
	// cache empty, and the slot no longer free (it is this booking's).
	if _, err := h.sys.SQL.W.ExecContext(context.Background(), `DELETE FROM idempotency_records`); err != nil {
		t.Fatal(err)
	}
	h.restart()
	tok = h.token("boris")
	var again bookingView
	h.mustJSON(h.call(http.MethodPost, "/api/v1/bookings", tok, body, key), http.StatusAccepted, &again)
	if again.ID != first.ID || again.Status != "pending" {
		t.Errorf("the retry answered booking %s (%s), want %s as it was accepted", again.ID, again.Status, first.ID)
	}
}

func TestAnMISThatCommitsAndLosesEveryAnswerIsReadBackAndNothingIsUndone(t *testing.T) {
	for name, fault := range map[string]missim.Faults{
		"then never answers": {TimeoutAfterCommitRate: 1},
		"then answers 500":   {ErrorAfterCommitRate: 1},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, 1, func(o *system.Options) { o.Regions[0].MIS.CallTimeout = 300 * time.Millisecond })
			tok := h.token("vera")
			slots := h.freeSlots(tok, "77", 3)
			h.faults("77", fault)
			var ids []string
			for _, s := range slots {
				ids = append(ids, h.book(tok, s.ID))
			}
			for _, id := range ids {
				h.waitStatus(tok, id, 20*time.Second, "confirmed")
			}
			h.faults("77", missim.Faults{})
			if n, all := countStatus(h.appointments("77"), "booked"), len(h.appointments("77")); n != len(ids) || all != len(ids) {
				t.Errorf("the clinic holds %d booked of %d appointments, want %d booked and nothing cancelled", n, all, len(ids))
			}
		})
	}
}

func TestAStoreThatRefusesWritesMakesTheInstanceUnreadyAndAnswers503NotInFlight(t *testing.T) {
	h := newHarness(t, 1, nil)
	if h.sys.SQL.Dialect.Name != "sqlite" {
		t.Skip("the store is made read-only through SQLite's query_only pragma")
	}
	tok := h.token("dina")
	slot := h.freeSlots(tok, "77", 1)[0]
	body := fmt.Sprintf(`{"slot_id":%q}`, slot.ID)
	key := map[string]string{"Idempotency-Key": "store-refuses-1"}
	readOnly := func(on bool) {
		t.Helper()
		// The writer pool is one connection, so this is every write's. The
		// pragma runs on the connection itself: the pool's lone statements
		// join a transaction of the group commit, whose BEGIN a read-only
		// connection refuses.
		conn, err := h.sys.SQL.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA query_only = %t", on)); err != nil {
			t.Fatal(err)
		}
	}
	readOnly(true)
	// Readiness writes its probe at most once a second.
	if !eventuallyReady(h, http.StatusServiceUnavailable) {
		t.Error("/readyz never said 503 while the store refused writes")
	}
	r := h.call(http.MethodPost, "/api/v1/bookings", tok, body, key)
	var p struct{ Code string }
	_ = json.Unmarshal(r.body, &p)
	if r.status != http.StatusServiceUnavailable || p.Code != "service-unavailable" || r.header.Get("Retry-After") == "" {
		t.Errorf("POST while the store refuses writes: %d %s (Retry-After %q), want 503 service-unavailable with Retry-After",
			r.status, r.body, r.header.Get("Retry-After"))
	}
	readOnly(false)
	if !eventuallyReady(h, http.StatusOK) {
		t.Error("/readyz never said 200 again once the store took writes")
	}
	// The key of the request that recorded nothing is free at once.
	if r := h.call(http.MethodPost, "/api/v1/bookings", tok, body, key); r.status != http.StatusAccepted {
		t.Errorf("the same request once the store is back: %d %s, want 202", r.status, r.body)
	}
}

// eventuallyReady polls /readyz for up to 3 s until it answers status.
func eventuallyReady(h *harness, status int) bool {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if h.internal("/readyz").status == status {
			return true
		}
	}
	return false
}
