package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// confirmed stores a confirmed booking of appointment A-1 in region 25 and
// empties the outbox.
func confirmed(t *testing.T, s Store, id string) {
	t.Helper()
	b := newBooking(id, "c1", t0)
	b.Confirm(contracts.Appointment{ID: "A-" + id}, t0)
	if err := s.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	drain(t, s)
}

func clinicEv(id, appointment string, change contracts.ClinicChange) contracts.ClinicEvent {
	return contracts.ClinicEvent{Version: 1, EventID: id, Region: "25", AppointmentID: appointment, Change: change, At: t0}
}

func clinicChangeSaved(t *testing.T, s Store) {
	ctx := context.Background()
	confirmed(t, s, "b1")
	moved := clinicEv("e1", "A-b1", contracts.ClinicMoved)
	moved.Start, moved.End = t0.Add(72*time.Hour), t0.Add(73*time.Hour)
	cancelled := clinicEv("e2", "A-b1", contracts.ClinicCancelled)
	cancelled.At, cancelled.ReasonCode = t0.Add(time.Minute), "practitioner_unavailable"
	for _, ev := range []contracts.ClinicEvent{moved, cancelled} {
		if err := s.Update(ctx, "b1", func(b *sagas.Booking) error { _, err := b.ApplyClinic(ev, t0); return err }); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Get(ctx, "b1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != sagas.StatusCancelled || b.CancelledBy != sagas.CancelledByClinic ||
		b.ReasonCode != "cancelled_by_clinic_practitioner_unavailable" || !b.Slot.Start.Equal(moved.Start) ||
		!b.ClinicAt.Equal(cancelled.At) {
		t.Errorf("read back %s by %q for %q at %v (clinic at %v)", b.Status, b.CancelledBy, b.ReasonCode, b.Slot.Start, b.ClinicAt)
	}
	if first := b.Timeline[0]; first.Source != sagas.SourcePortal || first.Code != sagas.CodeRequested {
		t.Errorf("the portal's entry reads back %+v", first)
	}
	mv := b.Timeline[len(b.Timeline)-2]
	if mv.Source != sagas.SourceClinic || mv.Code != sagas.CodeMovedByClinic || !mv.PrevStart.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.FixedZone("", 10*3600))) {
		t.Errorf("the move reads back %+v, want the clinic's entry with the old time", mv)
	}
}

func clinicEventOnce(t *testing.T, s Store) {
	ctx := context.Background()
	confirmed(t, s, "b1")
	ev := clinicEv("e1", "A-b1", contracts.ClinicMoved)
	ev.Start, ev.End = t0.Add(72*time.Hour), t0.Add(73*time.Hour)
	apply := func(b *sagas.Booking) error { _, err := b.ApplyClinic(ev, t0); return err }
	if err := s.Update(ctx, "b1", apply); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, "b1", apply); !errors.Is(err, sagas.ErrClinicEventApplied) {
		t.Fatalf("second application: %v, want ErrClinicEventApplied", err)
	}
	if ok, err := s.ClinicEventApplied(ctx, "e1"); !ok || err != nil {
		t.Errorf("ClinicEventApplied = %v, %v", ok, err)
	}
	if b, _ := s.Get(ctx, "b1"); len(b.Timeline) != 3 { // requested, confirmed, moved
		t.Errorf("timeline has %d entries, want one move", len(b.Timeline))
	}
}

func clinicEventConcurrent(t *testing.T, s Store) {
	ctx := context.Background()
	confirmed(t, s, "b1")
	ev := clinicEv("e1", "A-b1", contracts.ClinicMoved)
	ev.Start, ev.End = t0.Add(72*time.Hour), t0.Add(73*time.Hour)
	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			errs <- s.Update(ctx, "b1", func(b *sagas.Booking) error { _, err := b.ApplyClinic(ev, t0); return err })
		})
	}
	wg.Wait()
	close(errs)
	applied := 0
	for err := range errs {
		switch {
		case err == nil:
			applied++
		case !errors.Is(err, sagas.ErrClinicEventApplied):
			t.Errorf("a concurrent delivery failed otherwise: %v", err)
		}
	}
	b, _ := s.Get(ctx, "b1")
	if applied != 1 || len(b.Timeline) != 3 {
		t.Errorf("%d deliveries applied, timeline of %d entries: want exactly one move", applied, len(b.Timeline))
	}
}

func historyByPatientKeys(t *testing.T, s Store) {
	ctx := context.Background()
	ev := clinicEv("e1", "A-9", contracts.ClinicBookedElsewhere)
	ev.Start, ev.End, ev.Channel, ev.PatientKeys = t0.Add(time.Hour), t0.Add(2*time.Hour), "call_centre", []string{"k-snils", "k-oms"}
	if err := s.Create(ctx, sagas.NewClinicBooking("x1", ev, t0)); err != nil {
		t.Fatal(err)
	}
	mine := newBooking("b1", "c1", t0.Add(time.Minute))
	mine.PatientKeys = []string{"k-snils"}
	if err := s.Create(ctx, mine); err != nil {
		t.Fatal(err)
	}
	bs, err := s.ListByCitizen(ctx, "c1", []string{"k-snils"}, 10)
	if err != nil || len(bs) != 2 || bs[0].ID != "b1" || bs[1].ID != "x1" {
		t.Fatalf("history by pseudonym or keys: %v, %v", ids(bs), err)
	}
	if x := bs[1]; x.Source != sagas.SourceClinic || x.Channel != "call_centre" || x.Citizen != "" || x.Status != sagas.StatusConfirmed {
		t.Errorf("the booking made elsewhere reads back %+v", x)
	}
	if bs, _ := s.ListByCitizen(ctx, "c2", []string{"k-other"}, 10); len(bs) != 0 {
		t.Errorf("another citizen sees %v", ids(bs))
	}
	if got, _ := s.Get(ctx, "x1"); len(got.PatientKeys) != 2 {
		t.Errorf("patient keys read back %v", got.PatientKeys)
	}
}

func byAppointment(t *testing.T, s Store) {
	ctx := context.Background()
	confirmed(t, s, "b1")
	if id, err := s.ByAppointment(ctx, "25", "A-b1"); id != "b1" || err != nil {
		t.Errorf("ByAppointment = %q, %v", id, err)
	}
	if _, err := s.ByAppointment(ctx, "26", "A-b1"); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("another region's: %v, want ErrNotFound", err)
	}
}

func unmatchedParked(t *testing.T, s Store) {
	ctx := context.Background()
	e := sagas.UnmatchedClinicEvent{EventID: "e1", Region: "25", AppointmentID: "A-b1", Payload: []byte(`{"v":1}`)}
	for range 2 {
		if err := s.ParkUnmatched(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Unmatched(ctx, false, 10)
	if err != nil || len(all) != 1 || string(all[0].Payload) != `{"v":1}` {
		t.Fatalf("parked %+v, %v", all, err)
	}
	if m, _ := s.Unmatched(ctx, true, 10); len(m) != 0 {
		t.Fatalf("matched before the booking exists: %+v", m)
	}
	confirmed(t, s, "b1")
	if m, _ := s.Unmatched(ctx, true, 10); len(m) != 1 {
		t.Fatalf("matched after the booking appeared: %+v", m)
	}
	if err := s.DeleteUnmatched(ctx, "e1"); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.Unmatched(ctx, false, 10); len(all) != 0 {
		t.Fatalf("left after delete: %+v", all)
	}
}

func enqueueAlone(t *testing.T, s Store) {
	ctx := context.Background()
	if err := s.Enqueue(ctx, sagas.OutboxMessage{ID: "m1", Topic: contracts.TopicClinic, Key: "25:A-1",
		Payload: []byte(`{}`), Metadata: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	recs, err := s.FetchOutbox(ctx, 10)
	if err != nil || len(recs) != 1 || recs[0].Topic != contracts.TopicClinic || recs[0].Key != "25:A-1" {
		t.Fatalf("outbox %+v, %v", recs, err)
	}
}
