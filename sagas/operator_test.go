package sagas_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

var opNow = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func pendingFeedBooking() *sagas.Booking {
	return sagas.NewOperatorBooking("f1", "c1", sagas.SlotSnapshot{ID: "27:S-1", MISSlotID: "S-1"}, "27",
		[]byte("sealed"), "", opNow, time.Hour)
}

// events decodes the booking events b queued.
func events(t *testing.T, b *sagas.Booking) []contracts.BookingEvent {
	t.Helper()
	var out []contracts.BookingEvent
	for _, m := range b.PendingOutbox() {
		if m.Topic != contracts.TopicEvents {
			t.Fatalf("a feed booking queued a message to %s", m.Topic)
		}
		var e contracts.BookingEvent
		if err := json.Unmarshal(m.Payload, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestADeclineSendsOnlyItsCodeAndKeepsTheNoteOnTheBooking(t *testing.T) {
	b := pendingFeedBooking()
	note := "Доктор Иванова в отпуске; позвоните +7 (423) 123-45-67."
	if err := b.OperatorDecline(sagas.DeclinePractitionerAbsent, note, opNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	want, _ := sagas.DeclineReason(sagas.DeclinePractitionerAbsent)
	if b.Status != sagas.StatusRejected || b.Reason != want || b.PatientSealed != nil {
		t.Fatalf("declined booking: %s %q (sealed %v)", b.Status, b.Reason, b.PatientSealed != nil)
	}
	if last := b.Timeline[len(b.Timeline)-1].Detail; !strings.Contains(last, note) {
		t.Errorf("the citizen's timeline ends with %q, want the note", last)
	}
	evs := events(t, b)
	last := evs[len(evs)-1]
	if last.Reason != string(sagas.DeclinePractitionerAbsent) {
		t.Errorf("the decline's event carries reason %q, want only the code", last.Reason)
	}
	for _, m := range b.PendingOutbox() {
		if strings.Contains(string(m.Payload), "Иванова") {
			t.Errorf("the note reached an event: %s", m.Payload)
		}
	}
	if !b.DeclinedAs(sagas.DeclinePractitionerAbsent) || b.DeclinedAs(sagas.DeclineOther) {
		t.Error("DeclinedAs must tell a repeat of the same code from another")
	}
}

func TestAnUnknownDeclineCodeIsInvalid(t *testing.T) {
	b := pendingFeedBooking()
	if err := b.OperatorDecline("closed_today", "", opNow); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("unknown code: %v, want ErrInvalid", err)
	}
	if b.Status != sagas.StatusPending {
		t.Fatalf("a refused decline changed the booking to %s", b.Status)
	}
}

func TestAConfirmationAfterTheDeadlineIsRefused(t *testing.T) {
	b := pendingFeedBooking()
	err := b.OperatorConfirm("APT-1", b.Deadline.Add(time.Second))
	if !errors.Is(err, sagas.ErrDeadlinePassed) || contracts.KindOf(err) != contracts.KindConflict {
		t.Fatalf("confirm past the deadline: %v, want ErrDeadlinePassed (a conflict)", err)
	}
	if b.Status != sagas.StatusPending {
		t.Fatalf("a refused confirmation changed the booking to %s", b.Status)
	}
	if err := b.OperatorConfirm("APT-1", b.Deadline); err != nil {
		t.Fatalf("confirm at the deadline: %v", err)
	}
	if !b.ConfirmedAs("APT-1") || b.ConfirmedAs("APT-2") {
		t.Error("ConfirmedAs must tell a repeat with the same id from another")
	}
}

func TestACitizenWithdrawsAFeedBookingBeforeTheClinicAnswers(t *testing.T) {
	b := pendingFeedBooking()
	if err := b.OperatorWithdraw(opNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b.Status != sagas.StatusCancelled || b.Step != sagas.StepDone || b.PatientSealed != nil ||
		b.Timeline[len(b.Timeline)-1].Detail != sagas.DetailWithdrawn {
		t.Fatalf("withdrawn booking: %s at %s, timeline %+v", b.Status, b.Step, b.Timeline)
	}
	if err := b.OperatorWithdraw(opNow.Add(2 * time.Minute)); !errors.Is(err, contracts.ErrConflict) {
		t.Fatalf("withdrawing twice: %v, want ErrConflict", err)
	}
}

func TestEveryDeclineCodeHasTheCitizensSentence(t *testing.T) {
	codes := sagas.DeclineCodes()
	if len(codes) < 5 {
		t.Fatalf("decline codes %v", codes)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		r, ok := sagas.DeclineReason(c)
		if !ok || r == "" || seen[r] {
			t.Errorf("code %s: sentence %q (each must have its own, for DeclinedAs)", c, r)
		}
		seen[r] = true
	}
}
