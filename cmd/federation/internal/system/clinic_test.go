package system_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/sagas"
)

// historyView is a booking as the history API shows it, with the fields
// of the clinic's side.
type historyView struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	ReasonCode  string `json:"reason_code"`
	Reason      string `json:"reason"`
	CancelledBy string `json:"cancelled_by"`
	Source      string `json:"source"`
	Channel     string `json:"channel"`
	Slot        struct {
		Start        time.Time `json:"start"`
		Practitioner struct {
			Name string `json:"name"`
		} `json:"practitioner"`
	} `json:"slot"`
	Timeline []struct {
		Status, Source, Code, Detail string
		PreviousStart                *time.Time `json:"previous_start"`
	}
}

func (h *harness) view(token, id, lang string) historyView {
	h.t.Helper()
	var v historyView
	h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings/"+id, token, "", map[string]string{"Accept-Language": lang}), http.StatusOK, &v)
	return v
}

// until polls the booking until ok holds.
func (h *harness) until(token, id, what string, ok func(historyView) bool) historyView {
	h.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		v := h.view(token, id, "en")
		if ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("booking %s: not within 10s: %s; now %+v", id, what, v)
		}
	}
}

func (h *harness) publishClinic(ev contracts.ClinicEvent) {
	h.t.Helper()
	ev.Version = 1
	if err := h.sys.Clinic.Publish(context.Background(), ev); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) appointmentOf(id string) string {
	h.t.Helper()
	b, err := h.sys.Store.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return b.AppointmentID
}

// One booking goes through a clinic's move, a repeat of it, an older
// cancellation that arrives late, and is read in both languages; a change
// of an appointment nobody booked here is parked.
func TestTheClinicsChangesReachTheHistoryThroughKafka(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("ivan")
	id := h.book(tok, h.freeSlots(tok, "77", 1)[0].ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	appt := h.appointmentOf(id)
	was := h.view(tok, id, "en").Slot.Start
	newStart := was.Add(24 * time.Hour)
	at := time.Now().UTC()

	moved := contracts.ClinicEvent{EventID: "move-1", Region: "77", AppointmentID: appt, Change: contracts.ClinicMoved,
		At: at, Start: newStart, End: newStart.Add(20 * time.Minute)}
	h.publishClinic(moved)
	v := h.until(tok, id, "the move is in the history", func(v historyView) bool { return v.Slot.Start.Equal(newStart) })
	last := v.Timeline[len(v.Timeline)-1]
	if v.Status != "confirmed" || last.Code != "moved_by_clinic" || last.Source != "clinic" || last.PreviousStart == nil || !last.PreviousStart.Equal(was) {
		t.Fatalf("after the move: %s, last entry %+v", v.Status, last)
	}
	if v.Timeline[0].Source != "portal" {
		t.Errorf("the citizen's request has source %q", v.Timeline[0].Source)
	}

	h.publishClinic(moved) // the MIS said it twice
	late := contracts.ClinicEvent{EventID: "cancel-0", Region: "77", AppointmentID: appt, Change: contracts.ClinicCancelled,
		At: at.Add(-time.Minute), ReasonCode: "clinic_closed"}
	h.publishClinic(late) // older than the move: never overwrites it
	v = h.until(tok, id, "the late cancellation is recorded as superseded", func(v historyView) bool {
		return v.Timeline[len(v.Timeline)-1].Code == "clinic_event_superseded"
	})
	moves := 0
	for _, e := range v.Timeline {
		if e.Code == "moved_by_clinic" {
			moves++
		}
	}
	if v.Status != "confirmed" || moves != 1 || !v.Slot.Start.Equal(newStart) {
		t.Fatalf("after a repeat and a late event: %s at %v with %d moves: %+v", v.Status, v.Slot.Start, moves, v.Timeline)
	}

	cancel := contracts.ClinicEvent{EventID: "cancel-1", Region: "77", AppointmentID: appt, Change: contracts.ClinicCancelled,
		At: at.Add(time.Minute), ReasonCode: "practitioner_unavailable"}
	h.publishClinic(cancel)
	h.until(tok, id, "the clinic's cancellation", func(v historyView) bool { return v.Status == "cancelled" })
	ru, en := h.view(tok, id, "ru, en;q=0.5"), h.view(tok, id, "en;q=0.9, ru;q=0.2")
	if ru.CancelledBy != "clinic" || ru.ReasonCode != "cancelled_by_clinic_practitioner_unavailable" ||
		ru.Reason != sagas.Text(ru.ReasonCode, sagas.LangRU) || en.Reason != sagas.Text(ru.ReasonCode, sagas.LangEN) {
		t.Errorf("cancelled by %q for %q: ru %q, en %q", ru.CancelledBy, ru.ReasonCode, ru.Reason, en.Reason)
	}
	if d := h.view(tok, id, "").Timeline[0].Detail; d != sagas.Text(sagas.CodeRequested, sagas.LangRU) {
		t.Errorf("without Accept-Language the first detail reads %q, want Russian", d)
	}

	h.publishClinic(contracts.ClinicEvent{EventID: "stray-1", Region: "77", AppointmentID: "NOBODY", Change: contracts.ClinicCancelled,
		At: at, ReasonCode: "other"})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		parked, err := h.sys.Store.Unmatched(context.Background(), false, 10)
		if err == nil && len(parked) == 1 && parked[0].EventID == "stray-1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stray event is not parked: %+v, %v", parked, err)
		}
	}
}

// A clinic's change of a booking whose saga is still running (here a
// cancellation held up by a region that is down) waits for the saga's
// result and is judged after it: the citizen's cancellation stands and the
// move is recorded as not applied.
func TestAClinicChangeDuringARunningSagaWaitsForIt(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("olga")
	id := h.book(tok, h.freeSlots(tok, "77", 1)[0].ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	appt := h.appointmentOf(id)
	h.faults("77", missim.Faults{Down: true})
	if r := h.call(http.MethodPost, "/api/v1/bookings/"+id+"/cancel", tok, "", nil); r.status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	start := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Minute)
	h.publishClinic(contracts.ClinicEvent{EventID: "move-early", Region: "77", AppointmentID: appt, Change: contracts.ClinicMoved,
		At: time.Now().UTC(), Start: start, End: start.Add(20 * time.Minute)})
	time.Sleep(time.Second) // the event is delivered, and deferred, meanwhile
	if v := h.view(tok, id, "en"); v.Status != "cancelling" || v.Slot.Start.Equal(start) {
		t.Fatalf("while the cancellation runs: %s at %v, want cancelling with the old time", v.Status, v.Slot.Start)
	}
	h.faults("77", missim.Faults{})
	v := h.until(tok, id, "the deferred move judged after the cancellation", func(v historyView) bool {
		return v.Status == "cancelled" && v.Timeline[len(v.Timeline)-1].Code == "clinic_event_ignored"
	})
	if v.CancelledBy != "citizen" || v.Slot.Start.Equal(start) {
		t.Fatalf("cancelled by %q at %v: want the citizen's cancellation and the old time", v.CancelledBy, v.Slot.Start)
	}
}

// An appointment booked by phone is shown to the citizen whose token's
// SNILS it was made for, and to nobody else.
func TestABookingMadeByPhoneIsShownToItsCitizenOnly(t *testing.T) {
	h := newHarness(t, 1, nil)
	maria, petr := h.token("maria"), h.token("petr")
	p, err := auth.NewPseudonymizer(bytes.Repeat([]byte{1}, 32)) // the harness's pseudonym key
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	h.publishClinic(contracts.ClinicEvent{EventID: "phone-1", Region: "77", AppointmentID: "PHONE-1",
		Change: contracts.ClinicBookedElsewhere, At: time.Now().UTC(), Start: start, End: start.Add(20 * time.Minute),
		Channel: "call_centre", PatientKeys: p.PatientKeys(auth.SyntheticSNILS("maria"), "")})
	var list struct{ Bookings []historyView }
	for deadline := time.Now().Add(10 * time.Second); len(list.Bookings) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the booking made by phone is not in maria's history within 10s")
		}
		h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", maria, "", nil), http.StatusOK, &list)
	}
	b := list.Bookings[0]
	if b.Source != "clinic" || b.Channel != "call_centre" || b.Status != "confirmed" || !b.Slot.Start.Equal(start) {
		t.Errorf("maria sees %+v", b)
	}
	if v := h.view(maria, b.ID, "en"); v.ID != b.ID {
		t.Errorf("maria reads %+v by id", v)
	}
	if r := h.call(http.MethodPost, "/api/v1/bookings/"+b.ID+"/cancel", maria, "", nil); r.status != http.StatusConflict {
		t.Errorf("maria cancels a booking made by phone on the portal: %d %s, want 409", r.status, r.body)
	}
	var other struct{ Bookings []historyView }
	h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", petr, "", nil), http.StatusOK, &other)
	if len(other.Bookings) != 0 {
		t.Errorf("petr sees %+v", other.Bookings)
	}
	if r := h.call(http.MethodGet, "/api/v1/bookings/"+b.ID, petr, "", nil); r.status != http.StatusNotFound {
		t.Errorf("petr reads maria's booking by id: %d", r.status)
	}
	if r := h.call(http.MethodPost, "/api/v1/bookings/"+b.ID+"/cancel", petr, "", nil); r.status != http.StatusNotFound {
		t.Errorf("petr cancels maria's booking: %d", r.status)
	}
}
