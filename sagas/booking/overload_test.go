package booking_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

func TestABookingTheRegionIsTooBusyToFinishIsShedAtOnceAndReleasedAsCompensation(t *testing.T) {
	busy := fmt.Errorf("hold in region 77: no free place in time for its deadline: %w", contracts.ErrRegionBusy)
	f := newFixture(t, map[string][]error{"hold": {busy}})
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	b := f.booking(t)
	if b.Status != sagas.StatusFailed || b.Reason != sagas.ReasonRegionBusy || b.Step != sagas.StepDone {
		t.Fatalf("booking %s/%s %q, want failed and released with the busy reason, before its deadline", b.Status, b.Step, b.Reason)
	}
	if want := []string{"hold b1:hold", "find b1:hold"}; !slices.Equal(f.mis.calls, want) {
		t.Fatalf("calls %v, want %v: an earlier delivery may have held, so the release looks", f.mis.calls, want)
	}
	if got := f.mis.classes; got[0] != contracts.CallNewWork || got[1] != contracts.CallCompensation {
		t.Errorf("call classes %v: the hold is new work, its release compensation", got)
	}
}

func TestNewWorkIsCalledWithTheTimeItsBookingHasLeft(t *testing.T) {
	f := newFixture(t, nil)
	f.now = f.now.Add(90 * time.Second) // of a two-minute deadline
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	for i, left := range f.mis.deadlines {
		if left <= 0 || left > 30*time.Second {
			t.Errorf("call %s had %s left, want at most the booking's 30 s", f.mis.calls[i], left)
		}
	}
}

func TestEveryCallOfAStepSharesTheBookingsOneDeadline(t *testing.T) {
	f := newFixture(t, map[string][]error{"hold": {contracts.ErrOutcomeUnknown}})
	f.mis.found = true
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	// hold, find (its read-back), book: a call after a slow one does not
	// get the booking's whole time again.
	at := f.mis.deadlinesAt
	if len(at) != 3 || at[0].IsZero() || !at[1].Equal(at[0]) || !at[2].Equal(at[0]) {
		t.Fatalf("deadlines %v, want one and the same for every call of the step", at)
	}
}

func TestAHoldWhoseAnswerIsLostIsReadBackByItsKey(t *testing.T) {
	f := newFixture(t, map[string][]error{"hold": {contracts.ErrOutcomeUnknown}})
	f.mis.found = true
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	if b := f.booking(t); b.Status != sagas.StatusConfirmed {
		t.Fatalf("booking %s, want confirmed: the MIS held the slot, only the answer was lost", b.Status)
	}
	if want := []string{"hold b1:hold", "find b1:hold", "book b1:book"}; !slices.Equal(f.mis.calls, want) {
		t.Errorf("calls %v, want %v", f.mis.calls, want)
	}
}

func TestABookingWhoseAnswersAreAllLostIsReadBackNotCancelled(t *testing.T) {
	// An MIS that commits $book and then answers 500 every time.
	lost := []error{contracts.ErrOutcomeUnknown, contracts.ErrOutcomeUnknown, contracts.ErrOutcomeUnknown}
	f := newFixture(t, map[string][]error{"book": lost})
	f.mis.booked = true
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	if b := f.booking(t); b.Status != sagas.StatusConfirmed || b.AppointmentID != "A-1" {
		t.Fatalf("booking %s (%s), want confirmed from the appointment read back", b.Status, b.AppointmentID)
	}
	if want := []string{"hold b1:hold", "book b1:book", "find b1:hold"}; !slices.Equal(f.mis.calls, want) {
		t.Errorf("calls %v, want %v: one book, then the read-back, and nothing cancelled", f.mis.calls, want)
	}
}

func TestALostAnswerOfAHoldThatIsNotBookedIsStillRepeated(t *testing.T) {
	f := newFixture(t, map[string][]error{"book": {contracts.ErrOutcomeUnknown}})
	if err := f.saga.Advance(context.Background(), "b1"); err == nil {
		t.Fatal("advance succeeded; the appointment read back is only held, so the book must be repeated")
	}
	if b := f.booking(t); b.Status != sagas.StatusPending || b.Step != sagas.StepBook {
		t.Errorf("booking %s at %s, want pending at book", b.Status, b.Step)
	}
}
