package system_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
)

// guardedHarness runs regions 77, 78 (Moscow time, +03), 16 and 54
// (Novosibirsk, +07) with the citizen guards as serve has them, the cap
// lowered to 3.
func guardedHarness(t *testing.T) *harness {
	return newHarness(t, 4, func(o *system.Options) {
		o.AllowOverlappingBookings, o.MaxActivePerCitizen = false, 3
	})
}

// guardDay is a working day three or four days ahead, in Moscow.
func guardDay(t *testing.T) string {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	d := time.Now().In(msk).AddDate(0, 0, 3)
	if d.Weekday() == time.Sunday { // the simulators' clinics are closed
		d = d.AddDate(0, 0, 1)
	}
	return d.Format(time.DateOnly)
}

// slotsOn returns region's free slots on day (its local date).
func (h *harness) slotsOn(token, region, day string) []slotView {
	h.t.Helper()
	var out struct{ Slots []slotView }
	h.mustJSON(h.call(http.MethodGet, fmt.Sprintf("/api/v1/slots?region=%s&from=%s&to=%s&limit=1000", region, day, day), token, "", nil),
		http.StatusOK, &out)
	return out.Slots
}

// at returns the slots of slots that start at hour:00 on the wall clock of
// their region.
func at(slots []slotView, hour int) []slotView {
	var out []slotView
	for _, s := range slots {
		if s.Start.Hour() == hour && s.Start.Minute() == 0 {
			out = append(out, s)
		}
	}
	return out
}

type guardProblem struct {
	Code, Detail       string
	ConflictingBooking *struct {
		ID         string
		Start, End time.Time
	} `json:"conflicting_booking"`
}

func (h *harness) ask(token, slotID, key string) response {
	h.t.Helper()
	return h.call(http.MethodPost, "/api/v1/bookings", token, fmt.Sprintf(`{"slot_id":%q}`, slotID), map[string]string{"Idempotency-Key": key})
}

func decodeProblem(t *testing.T, r response) guardProblem {
	t.Helper()
	var p guardProblem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("not a problem: %d %s", r.status, r.body)
	}
	return p
}

func TestTheCitizenGuards(t *testing.T) {
	h := guardedHarness(t)
	day := guardDay(t)

	t.Run("a slot overlapping a booking in another zone in absolute time is refused before the MIS, naming it", func(t *testing.T) {
		tok := h.token("guard-olga")
		// 10:00 in Moscow is 14:00 in Novosibirsk: the same instant.
		moscow := at(h.slotsOn(tok, "77", day), 10)[0]
		novosibirsk := at(h.slotsOn(tok, "54", day), 14)[0]
		if !moscow.Start.Equal(novosibirsk.Start) {
			t.Fatalf("10:00 in Moscow is %v, 14:00 in Novosibirsk %v: not one instant", moscow.Start, novosibirsk.Start)
		}
		first := h.ask(tok, moscow.ID, "olga-1")
		var accepted bookingView
		h.mustJSON(first, http.StatusAccepted, &accepted)

		r := h.ask(tok, novosibirsk.ID, "olga-2")
		if r.status != http.StatusConflict {
			t.Fatalf("an overlapping slot in another region: %d %s, want 409", r.status, r.body)
		}
		p := decodeProblem(t, r)
		if p.Code != "booking-overlaps" || !strings.Contains(p.Detail, accepted.ID) || p.ConflictingBooking == nil ||
			p.ConflictingBooking.ID != accepted.ID || !p.ConflictingBooking.Start.Equal(moscow.Start) {
			t.Errorf("refusal %s, want booking-overlaps naming %s and its time %v", r.body, accepted.ID, moscow.Start)
		}
		if n := len(h.appointments("54")); n != 0 {
			t.Errorf("the refused booking reached region 54's MIS: %d appointments", n)
		}
		// The same wall-clock time in Novosibirsk is four hours earlier: no overlap.
		h.mustJSON(h.ask(tok, at(h.slotsOn(tok, "54", day), 10)[0].ID, "olga-3"), http.StatusAccepted, nil)

		// The first request again answers the booking it made, not the guard.
		again := h.ask(tok, moscow.ID, "olga-1")
		var replay bookingView
		h.mustJSON(again, http.StatusAccepted, &replay)
		if replay.ID != accepted.ID {
			t.Errorf("the retry answered booking %s, want %s", replay.ID, accepted.ID)
		}
		// Once the first is cancelled, its time is free for the citizen again.
		h.waitStatus(tok, accepted.ID, 10*time.Second, "confirmed")
		if r := h.call(http.MethodPost, "/api/v1/bookings/"+accepted.ID+"/cancel", tok, "", nil); r.status != http.StatusAccepted {
			t.Fatalf("cancel: %d %s", r.status, r.body)
		}
		h.waitStatus(tok, accepted.ID, 10*time.Second, "cancelled")
		h.mustJSON(h.ask(tok, novosibirsk.ID, "olga-4"), http.StatusAccepted, nil)
	})

	t.Run("a citizen at the cap of active bookings is refused until one ends", func(t *testing.T) {
		tok := h.token("guard-pavel")
		slots := h.slotsOn(tok, "78", day)
		var ids []string
		for i, hour := range []int{8, 9, 10} {
			var b bookingView
			h.mustJSON(h.ask(tok, at(slots, hour)[0].ID, fmt.Sprintf("pavel-%d", i)), http.StatusAccepted, &b)
			ids = append(ids, b.ID)
		}
		fourth := at(slots, 11)[0].ID
		r := h.ask(tok, fourth, "pavel-4")
		if p := decodeProblem(t, r); r.status != http.StatusConflict || p.Code != "too-many-active-bookings" || !strings.Contains(p.Detail, "3") {
			t.Fatalf("a fourth active booking with a cap of 3: %d %s, want 409 too-many-active-bookings naming the cap", r.status, r.body)
		}
		h.waitStatus(tok, ids[0], 10*time.Second, "confirmed")
		if r := h.call(http.MethodPost, "/api/v1/bookings/"+ids[0]+"/cancel", tok, "", nil); r.status != http.StatusAccepted {
			t.Fatalf("cancel: %d %s", r.status, r.body)
		}
		h.waitStatus(tok, ids[0], 10*time.Second, "cancelled")
		h.mustJSON(h.ask(tok, fourth, "pavel-5"), http.StatusAccepted, nil)
	})

	t.Run("of concurrent requests for overlapping slots in two regions exactly one is accepted", func(t *testing.T) {
		tok := h.token("guard-rita")
		// 12:00 in Moscow is 16:00 in Novosibirsk; two practitioners each.
		slots := append(at(h.slotsOn(tok, "77", day), 12)[:2], at(h.slotsOn(tok, "54", day), 16)[:2]...)
		statuses := make([]int, len(slots))
		bodies := make([]string, len(slots))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, s := range slots {
			wg.Go(func() {
				<-start
				statuses[i], bodies[i] = postBooking(h.sys.URL, tok, s.ID, fmt.Sprintf("rita-%d", i))
			})
		}
		close(start)
		wg.Wait()
		accepted := 0
		for i, st := range statuses {
			switch {
			case st == http.StatusAccepted:
				accepted++
			case st != http.StatusConflict || !strings.Contains(bodies[i], `"booking-overlaps"`):
				t.Errorf("request %d: %d %s, want 202 or 409 booking-overlaps", i, st, bodies[i])
			}
		}
		if accepted != 1 {
			t.Fatalf("%d of %d concurrent requests for one instant were accepted, want exactly 1", accepted, len(slots))
		}
		if n := len(h.history(tok)); n != 1 {
			t.Errorf("the citizen's history holds %d bookings, want 1", n)
		}
	})
}

// postBooking asks for a slot without the harness's checks, which may not
// fail a test from another goroutine.
func postBooking(base, token, slotID, key string) (int, string) {
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/bookings", strings.NewReader(fmt.Sprintf(`{"slot_id":%q}`, slotID)))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestConcurrentRequestsOfOneCitizenOnTwoInstancesCannotBothPass races
// requests for one instant through two instances on one PostgreSQL
// database, where only the citizen's row lock keeps the check and the
// insert together.
func TestConcurrentRequestsOfOneCitizenOnTwoInstancesCannotBothPass(t *testing.T) {
	in := startInstances(t, 2)
	for _, h := range in.systems { // as serve has them: see startInstances
		h.stop()
		h.opts.AllowOverlappingBookings, h.opts.MaxActivePerCitizen = false, 0
		h.start()
	}
	a, b := in.systems[0], in.systems[1]
	day := guardDay(t)
	for round, hour := range []int{9, 11, 13, 15, 17} {
		tok := in.token(fmt.Sprintf("guard-race-%d", round))
		// Regions 77 and 78 keep Moscow time; two practitioners each.
		slots := append(at(a.slotsOn(tok, "77", day), hour)[:2], at(a.slotsOn(tok, "78", day), hour)[:2]...)
		statuses := make([]int, len(slots))
		bodies := make([]string, len(slots))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, s := range slots {
			target := []*harness{a, b}[i%2]
			wg.Go(func() {
				<-start
				statuses[i], bodies[i] = postBooking(target.sys.URL, tok, s.ID, fmt.Sprintf("race-%d-%d", round, i))
			})
		}
		close(start)
		wg.Wait()
		accepted := 0
		for i, st := range statuses {
			switch {
			case st == http.StatusAccepted:
				accepted++
			case st != http.StatusConflict || !strings.Contains(bodies[i], `"booking-overlaps"`):
				t.Errorf("round %d, request %d: %d %s, want 202 or 409 booking-overlaps", round, i, st, bodies[i])
			}
		}
		if accepted != 1 {
			t.Fatalf("round %d: %d of %d concurrent requests for one instant on two instances were accepted, want exactly 1", round, accepted, len(slots))
		}
	}
}
