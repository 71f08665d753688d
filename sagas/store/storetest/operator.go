package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

func newFeedBooking(id, citizen, region, slotID string, at time.Time) *sagas.Booking {
	slot := sagas.SlotSnapshot{ID: region + ":" + slotID, MISSlotID: slotID, Start: at.Add(48 * time.Hour),
		End: at.Add(48*time.Hour + 20*time.Minute), Specialty: "therapist"}
	return sagas.NewOperatorBooking(id, citizen, slot, region, []byte("sealed"), "corr-"+id, at, 24*time.Hour)
}

func feedSlotOneWinner(t *testing.T, s Store) {
	ctx := context.Background()
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Create(ctx, newFeedBooking(fmt.Sprintf("f%d", i), fmt.Sprintf("c%d", i), "25", "S-7", t0))
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, contracts.ErrSlotTaken):
			t.Errorf("create %d: %v, want nil or ErrSlotTaken", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d bookings of one feed slot were created, want exactly 1", won)
	}
	// The same request again is a conflict of ids, not a taken slot.
	for i, err := range errs {
		if err == nil {
			if err := s.Create(ctx, newFeedBooking(fmt.Sprintf("f%d", i), "c", "25", "S-7", t0)); !errors.Is(err, contracts.ErrConflict) {
				t.Fatalf("the winner created again: %v, want ErrConflict", err)
			}
		}
	}
	// The same slot id in another region, and a fhir booking of it, are other slots.
	if err := s.Create(ctx, newFeedBooking("g1", "c1", "27", "S-7", t0)); err != nil {
		t.Fatalf("the same slot id in another region: %v", err)
	}
	if err := s.Create(ctx, newBooking("h1", "c1", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, newBooking("h2", "c2", t0)); err != nil {
		t.Fatalf("a second fhir booking of one slot is the MIS's to refuse, not the store's: %v", err)
	}
}

func feedSlotFreedAtEnd(t *testing.T, s Store) {
	ctx := context.Background()
	ends := map[string]func(*sagas.Booking) error{
		"declined": func(b *sagas.Booking) error {
			return b.OperatorDecline(sagas.DeclinePractitionerAbsent, "", t0.Add(time.Minute))
		},
		"expired": func(b *sagas.Booking) error { b.OperatorExpire(t0.Add(25 * time.Hour)); return nil },
		"cancelled": func(b *sagas.Booking) error {
			if err := b.OperatorConfirm("APT-1", t0.Add(time.Minute)); err != nil {
				return err
			}
			if err := b.RequestOperatorCancel(t0.Add(2 * time.Minute)); err != nil {
				return err
			}
			return b.OperatorAcknowledgeCancel(t0.Add(3 * time.Minute))
		},
	}
	for name, end := range ends {
		slot := "S-" + name
		if err := s.Create(ctx, newFeedBooking(name+"-1", "c1", "25", slot, t0)); err != nil {
			t.Fatal(err)
		}
		live, err := s.LiveOperatorSlots(ctx, "25", time.Time{})
		if err != nil || !slices.Contains(live, slot) {
			t.Fatalf("%s: live slots %v, %v; want %s among them", name, live, err, slot)
		}
		if other, _ := s.LiveOperatorSlots(ctx, "77", time.Time{}); len(other) != 0 {
			t.Fatalf("%s: region 77 lists region 25's live slots %v", name, other)
		}
		// The slot ends 48h20m after t0: live until then, of the past after.
		if live, _ := s.LiveOperatorSlots(ctx, "25", t0.Add(48*time.Hour+19*time.Minute)); !slices.Contains(live, slot) {
			t.Fatalf("%s: a slot that has not ended is not among the live ones %v", name, live)
		}
		if live, _ := s.LiveOperatorSlots(ctx, "25", t0.Add(48*time.Hour+20*time.Minute)); slices.Contains(live, slot) {
			t.Fatalf("%s: a slot that has ended is still among the live ones %v", name, live)
		}
		if err := s.Create(ctx, newFeedBooking(name+"-2", "c2", "25", slot, t0)); !errors.Is(err, contracts.ErrSlotTaken) {
			t.Fatalf("%s: a second booking of a live slot: %v, want ErrSlotTaken", name, err)
		}
		if err := s.Update(ctx, name+"-1", end); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := s.Get(ctx, name+"-1")
		if b.PatientSealed != nil {
			t.Errorf("%s: the patient's identifiers outlive the booking", name)
		}
		if live, _ := s.LiveOperatorSlots(ctx, "25", time.Time{}); slices.Contains(live, slot) {
			t.Fatalf("%s: the slot is still live after the booking ended", name)
		}
		if err := s.Create(ctx, newFeedBooking(name+"-2", "c2", "25", slot, t0)); err != nil {
			t.Fatalf("%s: the freed slot cannot be booked again: %v", name, err)
		}
	}
}

func operatorQueuePages(t *testing.T, s Store) {
	ctx := context.Background()
	for i := range 5 {
		if err := s.Create(ctx, newFeedBooking(fmt.Sprintf("q%d", i), "c", "25", fmt.Sprintf("S-%d", i), t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, newFeedBooking("other", "c", "27", "S-0", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, newBooking("fhir", "c", t0)); err != nil {
		t.Fatal(err)
	}
	// q1 is declined: it leaves the queue. q0 is confirmed and then
	// cancelled by its citizen: it comes back, as the newest item.
	if err := s.Update(ctx, "q1", func(b *sagas.Booking) error { return b.OperatorDecline(sagas.DeclineOther, "", t0.Add(time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "q0", func(b *sagas.Booking) error { return b.OperatorConfirm("APT-9", t0.Add(time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "q0", func(b *sagas.Booking) error { return b.RequestOperatorCancel(t0.Add(2 * time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	var seen []string
	var after sagas.QueueCursor
	for range 5 {
		page, err := s.Queue(ctx, "25", after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		seen = append(seen, ids(page)...)
		last := page[len(page)-1]
		after = sagas.QueueCursor{At: last.UpdatedAt, ID: last.ID}
	}
	if want := []string{"q2", "q3", "q4", "q0"}; !slices.Equal(seen, want) {
		t.Fatalf("queue of region 25 = %v, want %v", seen, want)
	}
}

func operatorConfirmedOnly(t *testing.T, s Store) {
	ctx := context.Background()
	// c0..c3 in region 25, later slots first; c0, c2, c3 confirmed, c1
	// left in the queue; c3 then cancelled by its citizen.
	for i := range 4 {
		b := newFeedBooking(fmt.Sprintf("c%d", i), "c", "25", fmt.Sprintf("S-%d", i), t0.Add(time.Duration(3-i)*time.Hour))
		if err := s.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			continue
		}
		if err := s.Update(ctx, b.ID, func(b *sagas.Booking) error { return b.OperatorConfirm("APT-"+b.ID, t0.Add(time.Minute)) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update(ctx, "c3", func(b *sagas.Booking) error { return b.RequestOperatorCancel(t0.Add(2 * time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	other := newFeedBooking("elsewhere", "c", "27", "S-0", t0)
	if err := s.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, other.ID, func(b *sagas.Booking) error { return b.OperatorConfirm("APT-x", t0.Add(time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, newBooking("fhir", "c", t0)); err != nil {
		t.Fatal(err)
	}
	got, err := s.ConfirmedOperatorBookings(ctx, "25", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c2", "c0"}; !slices.Equal(ids(got), want) {
		t.Fatalf("confirmed of region 25 = %v, want %v (soonest slot first; queued, cancelling and other regions' left out)", ids(got), want)
	}
	if got, err := s.ConfirmedOperatorBookings(ctx, "25", 1); err != nil || !slices.Equal(ids(got), []string{"c2"}) {
		t.Fatalf("bounded to one: %v, %v", ids(got), err)
	}
}
