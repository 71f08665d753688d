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

// bookingAt is citizen's booking of a 20-minute slot starting at start.
func bookingAt(id, citizen string, start time.Time) *sagas.Booking {
	slot := sagas.SlotSnapshot{ID: "25:" + id, MISSlotID: id, Start: start, End: start.Add(20 * time.Minute)}
	return sagas.NewBooking(id, citizen, slot, "25", nil, "corr-"+id, t0, 2*time.Minute)
}

func idsOf(bs []*sagas.Booking) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

func liveOnly(t *testing.T, s Store) {
	ctx := context.Background()
	vlad, kgd := time.FixedZone("+10", 10*3600), time.FixedZone("+02", 2*3600)
	day := t0.Add(72 * time.Hour)
	create := func(b *sagas.Booking, change func(*sagas.Booking)) {
		t.Helper()
		if change != nil {
			change(b)
		}
		if err := s.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	confirm := func(b *sagas.Booking) { b.Confirm(contracts.Appointment{ID: "A-" + b.ID}, t0) }
	// Written in another order than their slots, in two offsets: "later"
	// reads 13:00 at +02 and "sooner" 19:00 at +10 on the same date, but
	// as instants later is two hours after sooner.
	create(bookingAt("later", "c1", day.Add(2*time.Hour).In(kgd)), nil)
	create(bookingAt("sooner", "c1", day.In(vlad)), confirm)
	create(bookingAt("cancelling", "c1", day.Add(time.Hour)), func(b *sagas.Booking) {
		confirm(b)
		if err := b.RequestCancel(t0); err != nil {
			t.Fatal(err)
		}
	})
	create(bookingAt("visited", "c1", t0.Add(-48*time.Hour)), confirm) // long past
	create(bookingAt("old-pending", "c1", t0.Add(-48*time.Hour)), nil) // pending whatever its time
	create(bookingAt("rejected", "c1", day), func(b *sagas.Booking) { b.Reject("no", false, t0) })
	create(bookingAt("failed", "c1", day), func(b *sagas.Booking) { b.Fail("late", t0) })
	create(bookingAt("theirs", "c2", day), nil)
	create(newFeedBooking("feed", "c1", "27", "S-9", t0), nil) // awaiting its operator, 48 h ahead

	live, err := s.Live(ctx, "c1", t0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"old-pending", "feed", "sooner", "cancelling", "later"}
	if got := idsOf(live); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("live bookings %v, want %v (soonest slot first)", got, want)
	}
	if live[2].Status != sagas.StatusConfirmed || !live[2].Slot.Start.Equal(day) {
		t.Errorf("live booking read back as %+v", live[2])
	}
	// Once its slot has ended, a confirmed booking is no longer live.
	later, err := s.Live(ctx, "c1", day.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(idsOf(later)); got != "[old-pending feed cancelling later]" {
		t.Errorf("live after the first visit: %v", got)
	}
	if none, err := s.Live(ctx, "nobody", t0); err != nil || len(none) != 0 {
		t.Errorf("a citizen with no bookings: %v, %v", none, err)
	}
}

func loadCountsAndFilters(t *testing.T, s Store) {
	ctx := context.Background()
	day := t0.Add(72 * time.Hour)
	confirm := func(b *sagas.Booking) *sagas.Booking { b.Confirm(contracts.Appointment{ID: "A-" + b.ID}, t0); return b }
	for _, b := range []*sagas.Booking{
		bookingAt("at-nine", "c1", day),                            // pending, 09:00-09:20
		confirm(bookingAt("at-ten", "c1", day.Add(time.Hour))),     // confirmed, ahead
		confirm(bookingAt("now", "c1", t0.Add(-10*time.Minute))),   // confirmed, its visit under way: live, not active
		confirm(bookingAt("visited", "c1", t0.Add(-48*time.Hour))), // over
		bookingAt("theirs", "c2", day),                             // another citizen
		newFeedBooking("feed", "c1", "27", "S-9", t0),              // awaiting its operator
	} {
		if err := s.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	moving := confirm(bookingAt("moving", "c1", day.Add(5*time.Hour)))
	if err := s.Create(ctx, moving); err != nil {
		t.Fatal(err)
	}
	next := sagas.SlotSnapshot{ID: "25:n", MISSlotID: "n", Start: day.Add(6 * time.Hour), End: day.Add(6*time.Hour + 20*time.Minute)}
	if err := s.Update(ctx, "moving", func(b *sagas.Booking) error { return b.RequestReschedule(next, false, nil, t0, time.Minute) }); err != nil {
		t.Fatal(err)
	}
	slot := sagas.SlotSnapshot{Start: day.Add(10 * time.Minute), End: day.Add(30 * time.Minute)} // overlaps at-nine only
	load, err := s.Load(ctx, "c1", slot, t0, "")
	if err != nil {
		t.Fatal(err)
	}
	if load.Active != 4 { // at-nine, at-ten, feed, moving
		t.Errorf("%d active, want 4: pending, confirmed ahead, the feed booking and the one being moved", load.Active)
	}
	if got := fmt.Sprint(idsOf(load.Near)); got != "[at-nine moving]" {
		t.Errorf("near %s, want the overlapping booking and the one being moved", got)
	}
	if load.Near[1].Move == nil {
		t.Errorf("the booking being moved read back without its move")
	}
	if load, err := s.Load(ctx, "c1", slot, t0, "at-nine"); err != nil || load.Active != 3 || fmt.Sprint(idsOf(load.Near)) != "[moving]" {
		t.Errorf("leaving at-nine out: %d active, near %v, %v", load.Active, idsOf(load.Near), err)
	}
	if load, err := s.Load(ctx, "c1", sagas.SlotSnapshot{}, t0, ""); err != nil || load.Active != 4 || fmt.Sprint(idsOf(load.Near)) != "[moving]" {
		t.Errorf("with no slot: %d active, near %v, %v; want the count, and only the booking being moved near", load.Active, idsOf(load.Near), err)
	}
	noStart := sagas.SlotSnapshot{End: day.Add(15 * time.Minute)} // shares every instant before its end, as overlaps has it
	if load, err := s.Load(ctx, "c1", noStart, t0, ""); err != nil || !slices.Contains(idsOf(load.Near), "at-nine") {
		t.Errorf("a slot with no start: near %v, %v; want the booking before its end", idsOf(load.Near), err)
	}
	if load, err := s.Load(ctx, "nobody", slot, t0, ""); err != nil || load.Active != 0 || len(load.Near) != 0 {
		t.Errorf("a citizen with no bookings: %+v, %v", load, err)
	}
}

// errRefused is what the suite's guards refuse with.
var errRefused = errors.New("refused by the guard")

func guardedCreation(t *testing.T, s Store) {
	ctx := context.Background()
	day := t0.Add(72 * time.Hour)
	if err := s.Create(ctx, bookingAt("b1", "c1", day)); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
	var seen []string
	active := -1
	err := s.CreateGuarded(ctx, bookingAt("b2", "c1", day), func(load sagas.CitizenLoad) error {
		seen, active = idsOf(load.Near), load.Active
		return errRefused
	})
	if !errors.Is(err, errRefused) {
		t.Fatalf("a refused creation: %v, want the guard's error as it is", err)
	}
	if fmt.Sprint(seen) != "[b1]" || active != 1 {
		t.Errorf("the guard saw %v near and %d active, want the citizen's live booking b1 at the same time, one active", seen, active)
	}
	if _, err := s.Get(ctx, "b2"); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("a refused booking was written: %v", err)
	}
	if recs, _ := s.FetchOutbox(ctx, 10); len(recs) != 0 {
		t.Errorf("a refused booking queued %d messages", len(recs))
	}
	pass := func(sagas.CitizenLoad) error { return nil }
	if err := s.CreateGuarded(ctx, bookingAt("b3", "c1", day.Add(time.Hour)), pass); err != nil {
		t.Fatal(err)
	}
	// The same request again: the guard does not see the booking itself,
	// and the insert finds it.
	err = s.CreateGuarded(ctx, bookingAt("b3", "c1", day.Add(time.Hour)), func(load sagas.CitizenLoad) error {
		seen, active = idsOf(load.Near), load.Active
		return nil
	})
	if !errors.Is(err, contracts.ErrConflict) || len(seen) != 0 || active != 1 {
		t.Errorf("created again: %v, the guard saw %v near and %d active; want ErrConflict, having counted b1 only", err, seen, active)
	}
}

// guardedOneWinner races creations of one citizen, each guarded by "no
// other live booking", through two handles when it has them: exactly one
// may pass, whichever instance runs it.
func guardedOneWinner(t *testing.T, a, b Store) {
	ctx := context.Background()
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			errs[i] = s.CreateGuarded(ctx, bookingAt(fmt.Sprintf("r%d", i), "c1", t0.Add(72*time.Hour)), func(load sagas.CitizenLoad) error {
				time.Sleep(20 * time.Millisecond) // widen the window between the read and the insert
				if load.Active > 0 || len(load.Near) > 0 {
					return errRefused
				}
				return nil
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, errRefused):
			t.Errorf("creation %d: %v, want nil or the guard's refusal", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent guarded creations of one citizen passed, want exactly 1", won, n)
	}
	// Another citizen is not held back by c1's lock.
	if err := a.CreateGuarded(ctx, bookingAt("other", "c2", t0.Add(72*time.Hour)), func(load sagas.CitizenLoad) error {
		if load.Active != 0 || len(load.Near) != 0 {
			return errRefused
		}
		return nil
	}); err != nil {
		t.Fatalf("another citizen: %v", err)
	}
}
