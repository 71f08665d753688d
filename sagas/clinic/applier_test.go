package clinic_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/store"
)

var now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "c.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// booking stores a booking of appointment A-1 in region 77, two days on;
// confirmed unless pending is set.
func booking(t *testing.T, s *store.DB, pending bool) {
	t.Helper()
	start := now.Add(48 * time.Hour)
	b := sagas.NewBooking("b1", "c1", sagas.SlotSnapshot{Start: start, End: start.Add(20 * time.Minute)}, "77", nil, "", now, time.Minute)
	if pending {
		b.Held(contracts.Appointment{ID: "A-1"}, now)
	} else {
		b.Confirm(contracts.Appointment{ID: "A-1"}, now)
	}
	if err := s.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func payload(t *testing.T, ev contracts.ClinicEvent) []byte {
	t.Helper()
	ev.Version, ev.Region = 1, "77"
	if ev.AppointmentID == "" {
		ev.AppointmentID = "A-1"
	}
	if ev.At.IsZero() {
		ev.At = now
	}
	if err := ev.Validate(); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(ev)
	return body
}

func moved(id string, at time.Time, hours int) contracts.ClinicEvent {
	start := now.Add(time.Duration(hours) * time.Hour)
	return contracts.ClinicEvent{EventID: id, Change: contracts.ClinicMoved, At: at, Start: start, End: start.Add(time.Hour)}
}

func get(t *testing.T, s *store.DB, id string) *sagas.Booking {
	t.Helper()
	b, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestARepeatedEventIsANoOp(t *testing.T) {
	s := open(t)
	booking(t, s, false)
	a := clinic.NewApplier(s, func() time.Time { return now }, nil)
	ev := payload(t, moved("e1", now, 72))
	for range 2 {
		if err := a.Apply(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if b := get(t, s, "b1"); len(b.Timeline) != 3 || !b.Slot.Start.Equal(now.Add(72*time.Hour)) {
		t.Fatalf("timeline %d entries, slot at %v: want one move", len(b.Timeline), b.Slot.Start)
	}
}

func TestAnOlderEventIsRecordedAsSupersededNeverOverwriting(t *testing.T) {
	s := open(t)
	booking(t, s, false)
	a := clinic.NewApplier(s, func() time.Time { return now }, nil)
	ctx := context.Background()
	if err := a.Apply(ctx, payload(t, moved("newer", now.Add(time.Minute), 72))); err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(ctx, payload(t, moved("older", now, 96))); err != nil {
		t.Fatal(err)
	}
	b := get(t, s, "b1")
	if !b.Slot.Start.Equal(now.Add(72*time.Hour)) || b.Timeline[len(b.Timeline)-1].Code != sagas.CodeClinicSuperseded {
		t.Fatalf("slot at %v, last entry %+v: want the newer time kept and the older recorded as superseded", b.Slot.Start, b.Timeline[len(b.Timeline)-1])
	}
}

func TestAnEventDuringARunningSagaIsDeferred(t *testing.T) {
	s := open(t)
	booking(t, s, true)
	a := clinic.NewApplier(s, func() time.Time { return now }, nil)
	err := a.Apply(context.Background(), payload(t, moved("e1", now, 72)))
	if !errors.Is(err, sagas.ErrSagaRunning) || contracts.KindOf(err) != contracts.KindUnavailable {
		t.Fatalf("Apply = %v, want ErrSagaRunning (unavailable: redelivered after a pause)", err)
	}
	if b := get(t, s, "b1"); len(b.Timeline) != 2 {
		t.Fatalf("the running saga's booking changed: %+v", b.Timeline)
	}
}

func TestAVisitBeforeTheStartIsRefusedAsInvalid(t *testing.T) {
	s := open(t)
	booking(t, s, false)
	a := clinic.NewApplier(s, func() time.Time { return now }, nil)
	err := a.Apply(context.Background(), payload(t, contracts.ClinicEvent{EventID: "e1", Change: contracts.ClinicVisited}))
	if !errors.Is(err, contracts.ErrInvalid) || !contracts.KindOf(err).Permanent() {
		t.Fatalf("Apply = %v, want a permanent ErrInvalid", err)
	}
	if ok, _ := s.ClinicEventApplied(context.Background(), "e1"); ok {
		t.Fatal("a refused event was marked applied")
	}
}

func TestAnUnknownAppointmentIsParkedAndAppliedWhenItsBookingAppears(t *testing.T) {
	s := open(t)
	a := clinic.NewApplier(s, func() time.Time { return now }, nil)
	ctx := context.Background()
	ev := payload(t, contracts.ClinicEvent{EventID: "e1", Change: contracts.ClinicCancelled, ReasonCode: "clinic_closed"})
	if err := a.Apply(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if parked, _ := s.Unmatched(ctx, false, 10); len(parked) != 1 || parked[0].EventID != "e1" {
		t.Fatalf("parked %+v", parked)
	}
	if n, err := a.RetryUnmatched(ctx, 10); n != 0 || err != nil {
		t.Fatalf("retry before the booking: %d, %v", n, err)
	}
	booking(t, s, false)
	if n, err := a.RetryUnmatched(ctx, 10); n != 1 || err != nil {
		t.Fatalf("retry after the booking: %d, %v", n, err)
	}
	if b := get(t, s, "b1"); b.Status != sagas.StatusCancelled || b.CancelledBy != sagas.CancelledByClinic {
		t.Fatalf("booking %s by %q, want cancelled by the clinic", b.Status, b.CancelledBy)
	}
	if parked, _ := s.Unmatched(ctx, false, 10); len(parked) != 0 {
		t.Fatalf("still parked %+v", parked)
	}
}

func TestABookingMadeElsewhereBecomesAHistoryEntryOnce(t *testing.T) {
	s := open(t)
	a := clinic.NewApplier(s, func() time.Time { return now }, nil)
	ctx := context.Background()
	for _, id := range []string{"e1", "e2"} { // the same appointment reported twice
		ev := contracts.ClinicEvent{EventID: id, AppointmentID: "P-7", Change: contracts.ClinicBookedElsewhere,
			Start: now.Add(time.Hour), End: now.Add(2 * time.Hour), Channel: "registry_desk", PatientKeys: []string{"k1"}}
		if err := a.Apply(ctx, payload(t, ev)); err != nil {
			t.Fatal(err)
		}
	}
	bs, err := s.ListByCitizen(ctx, "anyone", []string{"k1"}, 10)
	if err != nil || len(bs) != 1 {
		t.Fatalf("history by key: %d, %v", len(bs), err)
	}
	if b := bs[0]; b.ID != clinic.ElsewhereID("77", "P-7") || b.Source != sagas.SourceClinic || b.Channel != "registry_desk" ||
		b.Status != sagas.StatusConfirmed || b.Timeline[0].Source != sagas.SourceClinic {
		t.Fatalf("booking made elsewhere %+v", b)
	}
}

func TestPublishWritesTheEventToTheOutboxKeyedByAppointment(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	p := clinic.NewPublisher(s)
	ev := moved("e1", now, 72)
	ev.Version, ev.Region, ev.AppointmentID = 1, "77", "A-1"
	if err := p.Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, contracts.ClinicEvent{Version: 1}); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("an invalid event: %v", err)
	}
	recs, err := s.FetchOutbox(ctx, 10)
	if err != nil || len(recs) != 1 || recs[0].Topic != contracts.TopicClinic || recs[0].Key != "77:A-1" {
		t.Fatalf("outbox %+v, %v", recs, err)
	}
	if got, err := contracts.DecodeClinicEvent(recs[0].Payload); err != nil || got.EventID != "e1" {
		t.Fatalf("decoded %+v, %v", got, err)
	}
}
