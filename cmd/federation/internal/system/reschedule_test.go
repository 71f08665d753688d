package system_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/regions/soap"
)

// movedView is a booking as the reschedule tests read it.
type movedView struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	ReasonCode string `json:"reason_code"`
	Slot       struct {
		ID         string
		Start, End time.Time
	} `json:"slot"`
	MovingTo *struct{ ID string } `json:"moving_to"`
	Timeline []struct {
		Status, Source, Code, Detail string
		PreviousStart                *time.Time `json:"previous_start"`
	} `json:"timeline"`
}

func (v movedView) codes() []string {
	out := make([]string, len(v.Timeline))
	for i, e := range v.Timeline {
		out[i] = e.Code
	}
	return out
}

func (v movedView) last() string { return v.Timeline[len(v.Timeline)-1].Code }

func (h *harness) reschedule(tok, id, slotID, key string) response {
	h.t.Helper()
	return h.call(http.MethodPost, "/api/v1/bookings/"+id+"/reschedule", tok, fmt.Sprintf(`{"slot_id":%q}`, slotID),
		map[string]string{"Idempotency-Key": key})
}

// waitMoved long-polls until the move of booking id has ended (confirmed).
func (h *harness) waitMoved(tok, id string, timeout time.Duration) movedView {
	h.t.Helper()
	var v movedView
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings/"+id+"?wait=2s", tok, "", nil), http.StatusOK, &v)
		if v.Status != "rescheduling" {
			return v
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("booking %s still rescheduling after %s: %v", id, timeout, v.codes())
		}
	}
}

// confirmedBooking books slotID for tok and waits until it is confirmed.
func (h *harness) confirmedBooking(tok, slotID string) string {
	h.t.Helper()
	id := h.book(tok, slotID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	return id
}

// byHoldKey returns the appointments whose hold key starts with prefix.
func byHoldKey(appts []missim.AdminAppointment, prefix string) []missim.AdminAppointment {
	var out []missim.AdminAppointment
	for _, a := range appts {
		if strings.HasPrefix(a.HoldKey, prefix) {
			out = append(out, a)
		}
	}
	return out
}

// assertMovedAtTheClinic checks the FHIR MIS holds booking id's old
// appointment cancelled and exactly one new one, booked, made by the move.
func assertMovedAtTheClinic(t *testing.T, h *harness, region, id string) {
	t.Helper()
	appts := h.appointments(region)
	old, moved := byHoldKey(appts, id+":hold"), byHoldKey(appts, id+":reschedule_hold.")
	if len(old) != 1 || old[0].Status != "cancelled" || len(moved) != 1 || moved[0].Status != "booked" {
		t.Fatalf("the MIS holds old %+v and new %+v, want the old cancelled and one new booked", old, moved)
	}
}

// assertUntouchedAtTheClinic checks booking id's old appointment is still
// booked and the move left nothing standing (newStatus: what the move's
// hold is, "" for none made).
func assertUntouchedAtTheClinic(t *testing.T, h *harness, region, id, newStatus string) {
	t.Helper()
	appts := h.appointments(region)
	old, moved := byHoldKey(appts, id+":hold"), byHoldKey(appts, id+":reschedule_hold.")
	if len(old) != 1 || old[0].Status != "booked" {
		t.Fatalf("the old appointment is %+v, want it booked, untouched", old)
	}
	switch {
	case newStatus == "" && len(moved) != 0:
		t.Fatalf("the move left %+v at the MIS, want nothing", moved)
	case newStatus != "" && (len(moved) != 1 || moved[0].Status != newStatus):
		t.Fatalf("the move's hold is %+v, want one %s", moved, newStatus)
	}
}

// proxied starts a harness of two FHIR regions whose first one's MIS is
// reached through a stepFaults proxy.
func proxied(t *testing.T) (*harness, *stepFaults, string) {
	var faults *stepFaults
	h := newHarness(t, 2, func(o *system.Options) {
		faults = newStepFaults(t, o.Regions[0].MIS.BaseURL)
		o.Regions[0].MIS.BaseURL = faults.URL
		// The faults below fail on purpose; the breaker must not hide the
		// retries behind its open state for long.
		o.Regions[0].Breaker.OpenTimeout = 200 * time.Millisecond
	})
	return h, faults, fleet.Regions[0].Code
}

// A confirmed booking moves to another time of its region: the new slot is
// held and booked first, the old appointment cancelled after; the booking
// stays one history entry, its slot the new one, the timeline showing each
// step with the old time kept. A slot of another region is refused with a
// problem that says why, and nothing changes.
func TestABookingMovesToANewTimeTheNewBookedBeforeTheOldIsCancelled(t *testing.T) {
	h, _, region := proxied(t)
	tok := h.token("mover")
	slots := h.freeSlots(tok, region, 2)
	id := h.confirmedBooking(tok, slots[0].ID)

	other := h.freeSlots(tok, fleet.Regions[1].Code, 1)[0]
	var pr struct{ Code, Detail string }
	h.mustJSON(h.reschedule(tok, id, other.ID, "move-elsewhere"), http.StatusUnprocessableEntity, &pr)
	if pr.Code != "reschedule-other-region" || !strings.Contains(pr.Detail, "region") {
		t.Fatalf("a slot of another region: %+v, want reschedule-other-region saying so", pr)
	}

	var accepted movedView
	h.mustJSON(h.reschedule(tok, id, slots[1].ID, "move-1"), http.StatusAccepted, &accepted)
	if accepted.Status != "rescheduling" || accepted.MovingTo == nil || accepted.MovingTo.ID != slots[1].ID || accepted.Slot.ID != slots[0].ID {
		t.Fatalf("accepted %+v, want rescheduling from %s to %s", accepted, slots[0].ID, slots[1].ID)
	}
	if r := h.reschedule(tok, id, slots[1].ID, "move-1"); r.status != http.StatusAccepted || r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the same request again: %d %s, want the first answer replayed", r.status, r.body)
	}
	v := h.waitMoved(tok, id, 15*time.Second)
	if v.Status != "confirmed" || v.Slot.ID != slots[1].ID || v.ReasonCode != "" || v.MovingTo != nil {
		t.Fatalf("after the move %+v, want confirmed at %s", v, slots[1].ID)
	}
	want := []string{"requested", "held", "confirmed", "reschedule_requested", "reschedule_held", "reschedule_booked", "rescheduled"}
	if got := v.codes(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("timeline %v, want %v", got, want)
	}
	end := v.Timeline[len(v.Timeline)-1]
	if end.PreviousStart == nil || !end.PreviousStart.Equal(slots[0].Start) || end.Source != "portal" || end.Status != "confirmed" {
		t.Errorf("the last entry %+v, want confirmed by the portal with the old start %s", end, slots[0].Start)
	}
	assertMovedAtTheClinic(t, h, region, id)
	if r := h.reschedule(tok, id, slots[0].ID, "move-2"); r.status != http.StatusAccepted {
		t.Fatalf("a second move (back): %d %s", r.status, r.body)
	}
	if v := h.waitMoved(tok, id, 15*time.Second); v.Status != "confirmed" || v.Slot.ID != slots[0].ID {
		t.Fatalf("after moving back %+v, want confirmed at %s", v, slots[0].ID)
	}
	if n := countStatus(h.appointments(region), "booked"); n != 1 {
		t.Errorf("after two moves the MIS has %d booked appointments, want 1", n)
	}
}

// The new slot's hold is refused (another patient has it): the old
// appointment is untouched and the booking says why.
func TestAMoveToATakenSlotLeavesTheOldAppointmentUntouched(t *testing.T) {
	h, _, region := proxied(t)
	tok, rival := h.token("mover"), h.token("rival")
	slots := h.freeSlots(tok, region, 2)
	id := h.confirmedBooking(tok, slots[0].ID)
	h.confirmedBooking(rival, slots[1].ID)

	if r := h.reschedule(tok, id, slots[1].ID, "move-taken"); r.status != http.StatusAccepted {
		t.Fatalf("reschedule: %d %s", r.status, r.body)
	}
	v := h.waitMoved(tok, id, 15*time.Second)
	if v.Status != "confirmed" || v.Slot.ID != slots[0].ID || v.ReasonCode != "slot_taken" || v.last() != "reschedule_not_done" {
		t.Fatalf("after the refused move %+v (%v), want confirmed at the old slot with slot_taken", v, v.codes())
	}
	assertUntouchedAtTheClinic(t, h, region, id, "")
}

// The new slot is held but its booking is refused: the new hold is
// released, the old appointment untouched.
func TestAMoveWhoseNewBookingFailsReleasesTheNewHoldAndKeepsTheOld(t *testing.T) {
	h, faults, region := proxied(t)
	tok := h.token("mover")
	slots := h.freeSlots(tok, region, 2)
	id := h.confirmedBooking(tok, slots[0].ID)

	faults.breakCalls(refuseHoldExpired, -1, fhirStep("reschedule_book"))
	if r := h.reschedule(tok, id, slots[1].ID, "move-book-fails"); r.status != http.StatusAccepted {
		t.Fatalf("reschedule: %d %s", r.status, r.body)
	}
	v := h.waitMoved(tok, id, 15*time.Second)
	if v.Status != "confirmed" || v.Slot.ID != slots[0].ID || v.ReasonCode != "hold_expired" || v.last() != "reschedule_not_done" {
		t.Fatalf("after the failed move %+v (%v), want confirmed at the old slot with hold_expired", v, v.codes())
	}
	if faults.broke() == 0 {
		t.Fatal("the new slot's booking was never refused: the fault did not apply")
	}
	assertUntouchedAtTheClinic(t, h, region, id, "cancelled")
}

// The cancel of the old appointment reaches the MIS but its answers are
// lost, again and again: the saga repeats it with the same key until it
// has an answer, and the citizen ends with exactly one appointment.
func TestALostCancelOfTheOldAppointmentIsRepeatedUntilOneAppointmentIsLeft(t *testing.T) {
	h, faults, region := proxied(t)
	tok := h.token("mover")
	slots := h.freeSlots(tok, region, 2)
	id := h.confirmedBooking(tok, slots[0].ID)

	faults.breakCalls(loseAnswer, 4, fhirStep("reschedule_cancel"))
	if r := h.reschedule(tok, id, slots[1].ID, "move-cancel-lost"); r.status != http.StatusAccepted {
		t.Fatalf("reschedule: %d %s", r.status, r.body)
	}
	v := h.waitMoved(tok, id, 30*time.Second)
	if v.Status != "confirmed" || v.Slot.ID != slots[1].ID || v.last() != "rescheduled" {
		t.Fatalf("after the move %+v (%v), want confirmed at the new slot", v, v.codes())
	}
	if n := faults.broke(); n != 4 {
		t.Errorf("%d cancels lost, want all 4 (the saga gave up before repeating them)", n)
	}
	assertMovedAtTheClinic(t, h, region, id)
	if n := countStatus(h.appointments(region), "booked"); n != 1 {
		t.Errorf("the MIS has %d booked appointments, want exactly 1", n)
	}
}

// The broker stops while the old appointment cannot be cancelled (the new
// one booked): after the restart the saga goes on from its stored step
// and the citizen ends with the new appointment only.
func TestABrokerRestartedMidMoveFinishesIt(t *testing.T) {
	h, faults, region := proxied(t)
	tok := h.token("mover")
	slots := h.freeSlots(tok, region, 2)
	id := h.confirmedBooking(tok, slots[0].ID)

	faults.breakCalls(unavailable, -1, fhirStep("reschedule_cancel"))
	if r := h.reschedule(tok, id, slots[1].ID, "move-restart"); r.status != http.StatusAccepted {
		t.Fatalf("reschedule: %d %s", r.status, r.body)
	}
	eventuallyTrue(t, 15*time.Second, "the saga tries to cancel the old appointment", func() bool { return faults.broke() > 0 })
	var mid movedView
	h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings/"+id, tok, "", nil), http.StatusOK, &mid)
	if mid.Status != "rescheduling" || mid.Slot.ID != slots[1].ID || mid.last() != "reschedule_booked" {
		t.Fatalf("mid-move %+v (%v), want rescheduling, showing the new slot, booked", mid, mid.codes())
	}
	h.stop()
	faults.heal()
	h.start()
	tok = h.token("mover") // the restarted dev issuer signs with a new key
	v := h.waitMoved(tok, id, 30*time.Second)
	if v.Status != "confirmed" || v.Slot.ID != slots[1].ID || v.last() != "rescheduled" {
		t.Fatalf("after the restart %+v (%v), want confirmed at the new slot", v, v.codes())
	}
	assertMovedAtTheClinic(t, h, region, id)
}

// A JSON-RPC region moves the appointment natively: one shiftAppointment,
// the appointment keeping its id. Its answer lost, the shift is repeated
// (through the ledger by its key) and the MIS still holds one appointment,
// at the new time; a shift to a taken slot leaves it where it was.
func TestAJSONRPCRegionMovesTheAppointmentNatively(t *testing.T) {
	sim, srv := startRPCSim(t, 4)
	faults := newStepFaults(t, srv.URL)
	h := newHarness(t, 1, func(o *system.Options) {
		o.Regions = append(o.Regions, jsonrpcRegion(faults.URL, 2*time.Second, breaker.Config{MaxConcurrent: 16, OpenTimeout: 200 * time.Millisecond}))
	})
	tok, rival := h.token("moskvich"), h.token("rival")
	slots := h.freeSlots(tok, "50", 3)
	id := h.confirmedBooking(tok, slots[0].ID)
	h.confirmedBooking(rival, slots[2].ID)
	before := sim.Appointments()

	faults.breakCalls(loseAnswer, 2, rpcMethod(jsonrpc.MethodShift))
	if r := h.reschedule(tok, id, slots[1].ID, "mo-move"); r.status != http.StatusAccepted {
		t.Fatalf("reschedule: %d %s", r.status, r.body)
	}
	v := h.waitMoved(tok, id, 30*time.Second)
	want := []string{"requested", "held", "confirmed", "reschedule_requested", "rescheduled"}
	if v.Status != "confirmed" || v.Slot.ID != slots[1].ID || strings.Join(v.codes(), " ") != strings.Join(want, " ") {
		t.Fatalf("after the native move %+v (%v), want confirmed at %s with timeline %v", v, v.codes(), slots[1].ID, want)
	}
	if faults.broke() != 2 {
		t.Errorf("%d shift answers lost, want 2", faults.broke())
	}
	after := sim.Appointments()
	if len(after) != len(before) || countStatus(after, "booked") != 2 {
		t.Fatalf("the MIS holds %+v after the move, want the same two appointments booked, none added", after)
	}

	if r := h.reschedule(tok, id, slots[2].ID, "mo-move-taken"); r.status != http.StatusAccepted {
		t.Fatalf("reschedule to a taken slot: %d %s", r.status, r.body)
	}
	v = h.waitMoved(tok, id, 15*time.Second)
	if v.Status != "confirmed" || v.Slot.ID != slots[1].ID || v.ReasonCode != "slot_taken" {
		t.Fatalf("after the refused shift %+v, want confirmed where it was with slot_taken", v)
	}
}

// A SOAP region has no native move: the new slot is booked first, then
// the old appointment cancelled, its answers lost twice and the cancel
// repeated, and the MIS ends with the new appointment booked, the old
// cancelled, nothing else.
func TestASOAPRegionMovesInTwoStepsAndRepeatsALostCancel(t *testing.T) {
	sim, srv := startSOAPSim(t, 3)
	faults := newStepFaults(t, srv.URL)
	h := newHarness(t, 1, func(o *system.Options) {
		o.Regions = append(o.Regions, soapRegion(faults.URL, 2*time.Second, breaker.Config{MaxConcurrent: 16, OpenTimeout: 200 * time.Millisecond}))
	})
	tok := h.token("kamchadal")
	slots := h.freeSlots(tok, "41", 2)
	id := h.confirmedBooking(tok, slots[0].ID)

	faults.breakCalls(loseAnswer, 2, func(r *http.Request, _ []byte) bool {
		return strings.Contains(r.Header.Get("SOAPAction"), soap.MethodCancelAppointment)
	})
	if r := h.reschedule(tok, id, slots[1].ID, "kam-move"); r.status != http.StatusAccepted {
		t.Fatalf("reschedule: %d %s", r.status, r.body)
	}
	v := h.waitMoved(tok, id, 30*time.Second)
	want := []string{"requested", "held", "confirmed", "reschedule_requested", "reschedule_held", "reschedule_booked", "rescheduled"}
	if v.Status != "confirmed" || v.Slot.ID != slots[1].ID || strings.Join(v.codes(), " ") != strings.Join(want, " ") {
		t.Fatalf("after the move %+v (%v), want confirmed at %s with timeline %v", v, v.codes(), slots[1].ID, want)
	}
	if faults.broke() != 2 {
		t.Errorf("%d cancel answers lost, want 2", faults.broke())
	}
	appts := sim.Appointments()
	if len(appts) != 2 || countStatus(appts, soap.StatusBooked) != 1 || countStatus(appts, soap.StatusCancelled) != 1 {
		t.Fatalf("the SOAP MIS holds %+v, want the old cancelled and the new booked", appts)
	}
	for _, a := range appts {
		if want := map[string]string{soap.StatusCancelled: strings.TrimPrefix(slots[0].ID, "41:"), soap.StatusBooked: strings.TrimPrefix(slots[1].ID, "41:")}[a.Status]; a.SlotID != want {
			t.Errorf("%s appointment on %s, want on %s", a.Status, a.SlotID, want)
		}
	}
}

// The citizen guards apply to the new slot: one overlapping another of the
// citizen's bookings is refused before anything reaches an MIS, naming it;
// one overlapping only the booking being moved is allowed (a move to
// another doctor at the same time). A moving booking holds its new time
// against new bookings too.
func TestTheCitizenGuardsApplyToTheNewSlotButNotAgainstTheBookingMoved(t *testing.T) {
	h := guardedHarness(t)
	tok := h.token("guarded-mover")
	day := guardDay(t)
	slots := h.slotsOn(tok, "78", day)
	ten, eleven, noon := at(slots, 10), at(slots, 11), at(slots, 12)
	if len(ten) < 2 || len(eleven) < 1 || len(noon) < 1 {
		t.Skipf("region 78 has %d, %d and %d slots at 10, 11 and 12 on %s: not enough to test with", len(ten), len(eleven), len(noon), day)
	}
	moving := h.confirmedBooking(tok, ten[0].ID)
	other := h.confirmedBooking(tok, eleven[0].ID)

	r := h.reschedule(tok, moving, eleven[len(eleven)-1].ID, "guard-overlap")
	if p := decodeProblem(t, r); r.status != http.StatusConflict || p.Code != "booking-overlaps" || p.ConflictingBooking == nil || p.ConflictingBooking.ID != other {
		t.Fatalf("a move onto the other booking's time: %d %s, want 409 booking-overlaps naming %s", r.status, r.body, other)
	}
	if n := len(byHoldKey(h.appointments("78"), moving+":reschedule_hold.")); n != 0 {
		t.Fatalf("the refused move reached the MIS (%d holds)", n)
	}
	if r := h.reschedule(tok, moving, ten[1].ID, "guard-self"); r.status != http.StatusAccepted {
		t.Fatalf("a move overlapping only the booking moved: %d %s, want 202", r.status, r.body)
	}
	if v := h.waitMoved(tok, moving, 15*time.Second); v.Status != "confirmed" || v.Slot.ID != ten[1].ID {
		t.Fatalf("after the move %+v, want confirmed at %s", v, ten[1].ID)
	}
	if r := h.reschedule(tok, moving, noon[0].ID, "guard-noon"); r.status != http.StatusAccepted {
		t.Fatalf("a move to noon: %d %s", r.status, r.body)
	}
	h.waitMoved(tok, moving, 15*time.Second)
	if r := h.ask(tok, ten[0].ID, "guard-old-time-free"); r.status != http.StatusAccepted {
		t.Errorf("a new booking at the time the booking left: %d %s, want 202", r.status, r.body)
	}
}
