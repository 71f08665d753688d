// Package storetest is the behaviour every implementation of the broker's
// store must show, as one suite: SQLite runs it always, PostgreSQL when a
// database is available. It includes concurrent updates of one booking.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// Store is what the suite exercises.
type Store interface {
	sagas.Store
	sagas.OperatorQueue
	sagas.ClinicStore
	sagas.OperatorConfirmed
	ReconcileStore
	FetchOutbox(ctx context.Context, limit int) ([]sagas.OutboxRecord, error)
	DeleteOutbox(ctx context.Context, seqs []int64) error
}

// Run runs the suite; open returns a new, empty store for each test.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, Store)
	}{
		{"a created booking reads back whole", createdReadsBack},
		{"a booking's state is its row as Get reads it, without the timeline", stateIsTheRow},
		{"creating an existing id is a conflict", createTwiceConflicts},
		{"an unknown booking is not found", unknownNotFound},
		{"an update saves state, timeline and outbox together", updateSavesAll},
		{"a failed update writes nothing", failedUpdateWritesNothing},
		{"a citizen's history is theirs only, newest first", historyNewestFirst},
		{"overdue lists only pending bookings past their deadline", overdueOnly},
		{"stalled lists releases and cancellations that stopped moving", stalledOnly},
		{"concurrent updates of one booking all land", concurrentUpdates},
		{"published outbox messages are gone", outboxDelete},
		{"the saga that drives a booking is stored with it", sagaKindStored},
		{"of two concurrent feed bookings of one slot exactly one wins", feedSlotOneWinner},
		{"a feed booking that ends frees its slot", feedSlotFreedAtEnd},
		{"the operator queue is the region's, oldest first, in pages", operatorQueuePages},
		{"a feed region's confirmed bookings are the region's, soonest first, bounded", operatorConfirmedOnly},
		{"live lists a citizen's pending, cancelling and not yet ended confirmed bookings, soonest first", liveOnly},
		{"a citizen's load counts the active bookings and reads only those near the slot", loadCountsAndFilters},
		{"a guarded creation shows the guard the citizen's live bookings and writes nothing when refused", guardedCreation},
		{"of concurrent guarded creations of one citizen exactly one passes", func(t *testing.T, s Store) { guardedOneWinner(t, s, s) }},
		{"a clinic's change is saved with its source, code, both times and who cancelled", clinicChangeSaved},
		{"a clinic event applied twice changes the booking once", clinicEventOnce},
		{"one clinic event delivered to many at once is applied once", clinicEventConcurrent},
		{"a booking made elsewhere is listed by the patient's keys, to no one else", historyByPatientKeys},
		{"a booking is found by its region and MIS appointment id", byAppointment},
		{"unmatched clinic events are parked once and listed when their appointment appears", unmatchedParked},
		{"outbox messages enqueued alone are published", enqueueAlone},
		{"a move in progress is saved with its booking, live and stalled, and gone once it ends", moveSaved},
		{"of holders racing for a region's reconcile lease exactly one wins, and its pass is recorded", reconcileLeaseOneHolder},
		{"reconciliation reads a region's bookings with an appointment, by period, in pages", reconcileBookingsByRegionAndPeriod},
		{"identifiers kept for reconciliation stay until the slot's end, then the sweep erases them", patientsKeptUntilTheSweep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// Pair opens a new, empty store and a second, separate handle onto the same
// database, as a second broker instance would have it.
type Pair func(t *testing.T) (Store, Store)

// RunPair runs the cases that need two handles on one database.
func RunPair(t *testing.T, open Pair) {
	tests := []struct {
		name string
		fn   func(*testing.T, Store, Store)
	}{
		{"a booking created through one handle reads back through the other", createdReadsBackElsewhere},
		{"concurrent updates through two handles all land", concurrentUpdatesTwoHandles},
		{"of concurrent guarded creations of one citizen through two handles exactly one passes", guardedOneWinner},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			tc.fn(t, a, b)
		})
	}
}

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func newBooking(id, citizen string, at time.Time) *sagas.Booking {
	vlad := time.FixedZone("+10", 10*3600)
	slot := sagas.SlotSnapshot{ID: "25:S-1", MISSlotID: "S-1", Start: time.Date(2026, 12, 1, 9, 0, 0, 0, vlad),
		End: time.Date(2026, 12, 1, 9, 20, 0, 0, vlad), Specialty: "therapist", PractitionerName: "Иванова А. А."}
	return sagas.NewBooking(id, citizen, slot, "25", []byte("sealed"), "corr-"+id, at, 2*time.Minute)
}

func createdReadsBack(t *testing.T, s Store) {
	ctx := context.Background()
	if err := s.Create(ctx, newBooking("b1", "c1", t0)); err != nil {
		t.Fatal(err)
	}
	b, err := s.Get(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != sagas.StatusPending || b.Step != sagas.StepHold || b.Citizen != "c1" || string(b.PatientSealed) != "sealed" ||
		!b.CreatedAt.Equal(t0) || !b.Deadline.Equal(t0.Add(2*time.Minute)) || len(b.Timeline) != 1 || b.Version != 1 {
		t.Errorf("read back %+v", b)
	}
	if _, off := b.Slot.Start.Zone(); off != 10*3600 || b.Slot.PractitionerName != "Иванова А. А." {
		t.Errorf("slot read back %+v, want the region's offset kept", b.Slot)
	}
	recs, err := s.FetchOutbox(ctx, 10)
	if err != nil || len(recs) != 2 { // the command to the region and the pending event
		t.Fatalf("outbox %v %v, want the saga command and the event", recs, err)
	}
	topics := map[string]string{recs[0].Topic: recs[0].Key, recs[1].Topic: recs[1].Key}
	if topics[contracts.RegionTopic("25")] != "b1" || topics[contracts.TopicEvents] != "b1" {
		t.Errorf("outbox %v, want the region command and the event, keyed by the booking", topics)
	}
}

func stateIsTheRow(t *testing.T, s Store) {
	ctx := context.Background()
	b := newBooking("b1", "c1", t0)
	b.PatientKeys = []string{"k-snils"}
	if err := s.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "b1", func(b *sagas.Booking) error {
		b.Confirm(contracts.Appointment{ID: "A-1"}, t0.Add(time.Second))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.State(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Timeline) != 0 || len(got.Timeline) != 2 {
		t.Errorf("state has a timeline of %d entries, Get of %d: want none and both", len(st.Timeline), len(got.Timeline))
	}
	got.Timeline = nil
	got.MarkSaved() // the count of saved timeline entries, now none
	if !reflect.DeepEqual(st, got) {
		t.Errorf("state %+v\nwant Get's row %+v", st, got)
	}
	if _, err := s.State(ctx, "nope"); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("the state of an unknown booking: %v, want not found", err)
	}
}

func sagaKindStored(t *testing.T, s Store) {
	ctx := context.Background()
	b := newBooking("b1", "c1", t0)
	b.Confirm(contracts.Appointment{ID: "A-1"}, t0)
	if err := s.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "b1"); got.Saga != contracts.SagaBooking {
		t.Errorf("a new booking is driven by %q, want the booking saga", got.Saga)
	}
	drain(t, s)
	if err := s.Update(ctx, "b1", func(b *sagas.Booking) error { return b.RequestCancel(t0) }); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, "b1")
	if got.Saga != contracts.SagaCancellation || got.Step != sagas.StepCancel {
		t.Errorf("after a cancellation request: saga %q at %q, want the cancellation saga", got.Saga, got.Step)
	}
	recs, _ := s.FetchOutbox(ctx, 10)
	var cmd contracts.SagaCommand
	for _, r := range recs {
		if r.Topic == contracts.RegionTopic("25") {
			cmd, _ = contracts.DecodeSagaCommand(r.Payload)
		}
	}
	if cmd.Kind != contracts.SagaCancellation {
		t.Errorf("the queued command is for %q, want the stored saga's kind", cmd.Kind)
	}
}

func createTwiceConflicts(t *testing.T, s Store) {
	ctx := context.Background()
	_ = s.Create(ctx, newBooking("b1", "c1", t0))
	if err := s.Create(ctx, newBooking("b1", "c2", t0)); !errors.Is(err, contracts.ErrConflict) {
		t.Errorf("second create: %v, want ErrConflict", err)
	}
}

func unknownNotFound(t *testing.T, s Store) {
	if _, err := s.Get(context.Background(), "nope"); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("get: %v, want ErrNotFound", err)
	}
	err := s.Update(context.Background(), "nope", func(*sagas.Booking) error { return nil })
	if !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("update: %v, want ErrNotFound", err)
	}
}

func drain(t *testing.T, s Store) {
	recs, _ := s.FetchOutbox(context.Background(), 1000)
	seqs := make([]int64, len(recs))
	for i, r := range recs {
		seqs[i] = r.Seq
	}
	if err := s.DeleteOutbox(context.Background(), seqs); err != nil {
		t.Fatal(err)
	}
}

func updateSavesAll(t *testing.T, s Store) {
	ctx := context.Background()
	_ = s.Create(ctx, newBooking("b1", "c1", t0))
	drain(t, s)
	err := s.Update(ctx, "b1", func(b *sagas.Booking) error {
		b.Held(contracts.Appointment{ID: "A-1", HoldExpires: t0.Add(5 * time.Minute)}, t0.Add(time.Second))
		b.Confirm(contracts.Appointment{ID: "A-1"}, t0.Add(2*time.Second))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Get(ctx, "b1")
	if b.Status != sagas.StatusConfirmed || b.AppointmentID != "A-1" || b.PatientSealed != nil || len(b.Timeline) != 3 || b.Version != 2 {
		t.Errorf("after update %+v", b)
	}
	if recs, _ := s.FetchOutbox(ctx, 10); len(recs) != 1 || recs[0].Topic != contracts.TopicEvents {
		t.Errorf("outbox after confirm %+v, want one event", recs)
	}
}

func failedUpdateWritesNothing(t *testing.T, s Store) {
	ctx := context.Background()
	_ = s.Create(ctx, newBooking("b1", "c1", t0))
	drain(t, s)
	boom := errors.New("boom")
	err := s.Update(ctx, "b1", func(b *sagas.Booking) error {
		b.Fail("x", t0)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update: %v, want the closure's error", err)
	}
	b, _ := s.Get(ctx, "b1")
	recs, _ := s.FetchOutbox(ctx, 10)
	if b.Status != sagas.StatusPending || len(b.Timeline) != 1 || len(recs) != 0 {
		t.Errorf("a failed update left %s, %d timeline entries, %d messages", b.Status, len(b.Timeline), len(recs))
	}
}

func historyNewestFirst(t *testing.T, s Store) {
	ctx := context.Background()
	for i, id := range []string{"old", "mid", "new"} {
		_ = s.Create(ctx, newBooking(id, "c1", t0.Add(time.Duration(i)*time.Minute)))
	}
	_ = s.Create(ctx, newBooking("theirs", "c2", t0))
	bs, err := s.ListByCitizen(ctx, "c1", nil, 10)
	if err != nil || len(bs) != 3 || bs[0].ID != "new" || bs[2].ID != "old" || len(bs[0].Timeline) != 1 {
		t.Errorf("history %v %v, want new, mid, old with timelines", ids(bs), err)
	}
}

func ids(bs []*sagas.Booking) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

func overdueOnly(t *testing.T, s Store) {
	ctx := context.Background()
	_ = s.Create(ctx, newBooking("late", "c1", t0))
	_ = s.Create(ctx, newBooking("fresh", "c1", t0.Add(10*time.Minute)))
	_ = s.Create(ctx, newBooking("done", "c1", t0))
	_ = s.Update(ctx, "done", func(b *sagas.Booking) error { b.Reject("x", false, t0); return nil })
	got, err := s.Overdue(ctx, t0.Add(5*time.Minute), 10)
	if err != nil || len(got) != 1 || got[0] != "late" {
		t.Errorf("overdue %v %v, want [late]", got, err)
	}
}

func concurrentUpdates(t *testing.T, s Store) {
	concurrentUpdatesTwoHandles(t, s, s)
}

func createdReadsBackElsewhere(t *testing.T, a, b Store) {
	ctx := context.Background()
	if err := a.Create(ctx, newBooking("b1", "c1", t0)); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Get(ctx, "b1"); err != nil || got.Version != 1 || len(got.Timeline) != 1 {
		t.Errorf("read through the other handle: %+v %v", got, err)
	}
	if err := b.Create(ctx, newBooking("b1", "c1", t0)); !errors.Is(err, contracts.ErrConflict) {
		t.Errorf("create through the other handle: %v, want ErrConflict", err)
	}
}

// concurrentUpdatesTwoHandles updates one booking from workers spread over
// the handles a and b (which may be the same).
func concurrentUpdatesTwoHandles(t *testing.T, a, b Store) {
	ctx := context.Background()
	_ = a.Create(ctx, newBooking("b1", "c1", t0))
	const workers, each = 4, 25
	var wg sync.WaitGroup
	for w := range workers {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for i := range each {
				err := s.Update(ctx, "b1", func(b *sagas.Booking) error {
					b.Released("note", t0.Add(time.Duration(w*each+i)*time.Millisecond))
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, _ := a.Get(ctx, "b1")
	if len(got.Timeline) != 1+workers*each || got.Version != 1+workers*each {
		t.Errorf("after %d concurrent updates: %d timeline entries, version %d", workers*each, len(got.Timeline), got.Version)
	}
}

func outboxDelete(t *testing.T, s Store) {
	ctx := context.Background()
	_ = s.Create(ctx, newBooking("b1", "c1", t0))
	_ = s.Create(ctx, newBooking("b2", "c1", t0))
	recs, _ := s.FetchOutbox(ctx, 2)
	if len(recs) != 2 || recs[0].Seq >= recs[1].Seq {
		t.Fatalf("fetch %+v, want the two oldest in order", recs)
	}
	_ = s.DeleteOutbox(ctx, []int64{recs[0].Seq, recs[1].Seq})
	rest, _ := s.FetchOutbox(ctx, 10)
	if len(rest) != 2 || rest[0].Key != "b2" {
		t.Errorf("after delete %+v, want b2's two messages", rest)
	}
}

func stalledOnly(t *testing.T, s Store) {
	ctx := context.Background()
	for _, id := range []string{"releasing", "moving", "pending"} {
		_ = s.Create(ctx, newBooking(id, "c1", t0))
	}
	_ = s.Update(ctx, "releasing", func(b *sagas.Booking) error { b.Fail("x", t0); return nil })
	_ = s.Update(ctx, "moving", func(b *sagas.Booking) error { b.Fail("x", t0.Add(10*time.Minute)); return nil })
	got, err := s.Stalled(ctx, t0.Add(5*time.Minute), 10)
	if err != nil || len(got) != 1 || got[0] != "releasing" {
		t.Errorf("stalled %v %v, want [releasing]", got, err)
	}
}
