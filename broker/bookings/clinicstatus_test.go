package bookings

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/store"
)

// applyingPublisher is the clinic path without Kafka: each published
// event is encoded and handed to the real Applier over the same store,
// as the runner would.
type applyingPublisher struct {
	t       *testing.T
	applier *clinic.Applier
	events  []contracts.ClinicEvent
}

func (p *applyingPublisher) Publish(ctx context.Context, ev contracts.ClinicEvent) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	p.events = append(p.events, ev)
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return p.applier.Apply(ctx, body)
}

// clinicStatusService is a feed region 27 service over a real store with
// one confirmed booking b1 (appointment APT-1) starting at start, its
// clock read from *at.
func clinicStatusService(t *testing.T, at *time.Time, start time.Time) (*Service, *store.DB, *applyingPublisher) {
	t.Helper()
	db := openStore(t)
	now := func() time.Time { return *at }
	pub := &applyingPublisher{t: t, applier: clinic.NewApplier(db, now, nil)}
	pseudo, _ := auth.NewPseudonymizer(bytes.Repeat([]byte{1}, 32))
	sealer, _ := auth.NewSealer(bytes.Repeat([]byte{2}, 32))
	s, err := New(Config{Regions: feedRegions{}, Bookings: db, Pseudonyms: pseudo, Sealer: sealer,
		Feeds: feedRegions{}, Queue: db, Clinic: pub, Confirmed: db, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	slot := sagas.SlotSnapshot{ID: "27:S-1", MISSlotID: "S-1", Start: start, End: start.Add(20 * time.Minute)}
	for _, id := range []string{"b1", "b2"} { // b2 stays pending
		if err := db.Create(ctx, sagas.NewOperatorBooking(id, "c1", slot, "27", nil, "", *at, time.Hour)); err != nil && id == "b1" {
			t.Fatal(err)
		}
		slot.MISSlotID, slot.ID = "S-2", "27:S-2"
	}
	op := auth.Operator{ID: "op1", Region: "27"}
	if _, err := s.ConfirmBooking(ctx, ConfirmBooking{Operator: op, ID: "b1", MISAppointmentID: "APT-1"}); err != nil {
		t.Fatal(err)
	}
	return s, db, pub
}

func TestAnOperatorsMoveAndVisitReachTheHistoryAsClinicEventsFromTheOperator(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	start := at.Add(48 * time.Hour)
	s, db, pub := clinicStatusService(t, &at, start)
	ctx := context.Background()
	op := auth.Operator{ID: "op1", Region: "27"}

	if list, err := s.ReadConfirmed(ctx, op); err != nil || len(list) != 1 || list[0].ID != "b1" || list[0].AppointmentID != "APT-1" {
		t.Fatalf("confirmed bookings of the region: %+v, %v", list, err)
	}
	moveTo := start.Add(24 * time.Hour)
	got, err := s.RecordClinicStatus(ctx, RecordClinicStatus{Operator: op, ID: "b1", Status: "moved", Start: moveTo, Key: "k1"})
	if err != nil || got.Change != contracts.ClinicMoved || got.EventID == "" {
		t.Fatalf("moved: %+v, %v", got, err)
	}
	ev := pub.events[0]
	if ev.Origin != contracts.ClinicOriginOperator || ev.AppointmentID != "APT-1" || ev.Region != "27" ||
		!ev.End.Equal(moveTo.Add(20*time.Minute)) {
		t.Fatalf("the published event %+v: want origin operator, the booking's appointment, the same length", ev)
	}
	b, _ := db.Get(ctx, "b1")
	last := b.Timeline[len(b.Timeline)-1]
	if !b.Slot.Start.Equal(moveTo) || last.Source != sagas.SourceOperator || last.Code != sagas.CodeMovedByClinic ||
		!last.PrevStart.Equal(start) {
		t.Fatalf("after the move: slot %v, last entry %+v; want the new time, both times, source operator", b.Slot.Start, last)
	}

	if _, err := s.RecordClinicStatus(ctx, RecordClinicStatus{Operator: op, ID: "b1", Status: "visited"}); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("visited before the new start: %v, want invalid", err)
	}
	at = moveTo.Add(30 * time.Minute)
	note := "Следующий приём через месяц."
	if _, err := s.RecordClinicStatus(ctx, RecordClinicStatus{Operator: op, ID: "b1", Status: "visited", Note: note, Key: "k2"}); err != nil {
		t.Fatalf("visited: %v", err)
	}
	b, _ = db.Get(ctx, "b1")
	visit, noted := b.Timeline[len(b.Timeline)-2], b.Timeline[len(b.Timeline)-1]
	if b.Status != sagas.StatusVisited || visit.Code != sagas.CodeVisited || visit.Source != sagas.SourceOperator ||
		noted.Code != sagas.CodeClinicNote || noted.Note != note {
		t.Fatalf("after the visit: %s, %+v %+v", b.Status, visit, noted)
	}
	if _, err := s.RecordClinicStatus(ctx, RecordClinicStatus{Operator: op, ID: "b1", Status: "visited"}); !errors.Is(err, contracts.ErrConflict) {
		t.Fatalf("visited again: %v, want a conflict", err)
	}
	// A correction, as the clinic-event rules allow.
	if _, err := s.RecordClinicStatus(ctx, RecordClinicStatus{Operator: op, ID: "b1", Status: "no-show"}); err != nil {
		t.Fatalf("no-show after visited: %v", err)
	}
	if b, _ := db.Get(ctx, "b1"); b.Status != sagas.StatusNoShow {
		t.Fatalf("the correction left %s", b.Status)
	}
	if list, _ := s.ReadConfirmed(ctx, op); len(list) != 0 {
		t.Fatalf("a booking with its visit recorded is still listed: %+v", list)
	}
}

func TestAnOperatorsClinicCancellationNeedsAReasonFromTheCatalogue(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s, db, pub := clinicStatusService(t, &at, at.Add(48*time.Hour))
	ctx := context.Background()
	op := auth.Operator{ID: "op1", Region: "27"}
	if _, err := s.RecordClinicStatus(ctx, RecordClinicStatus{Operator: op, ID: "b1", Status: "cancelled", ReasonCode: "closed_today"}); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("an unknown reason: %v", err)
	}
	if _, err := s.RecordClinicStatus(ctx, RecordClinicStatus{Operator: op, ID: "b1", Status: "cancelled", ReasonCode: "clinic_closed"}); err != nil {
		t.Fatal(err)
	}
	b, _ := db.Get(ctx, "b1")
	if b.Status != sagas.StatusCancelled || b.CancelledBy != sagas.CancelledByClinic || b.ReasonCode != sagas.ClinicCancelCode("clinic_closed") ||
		b.Timeline[len(b.Timeline)-1].Source != sagas.SourceOperator {
		t.Fatalf("cancelled by the clinic through the operator: %s by %s, %s, %+v", b.Status, b.CancelledBy, b.ReasonCode, b.Timeline)
	}
	if _, err := s.RecordClinicStatus(ctx, RecordClinicStatus{Operator: op, ID: "b1", Status: "moved", Start: at.Add(72 * time.Hour)}); !errors.Is(err, contracts.ErrConflict) {
		t.Fatalf("moving a cancelled booking: %v, want a conflict", err)
	}
	if len(pub.events) != 1 {
		t.Fatalf("%d events published, want the one cancellation", len(pub.events))
	}
}

func TestAnOperatorsBadClinicRecordIsRefusedAndNothingIsPublished(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	start := at.Add(48 * time.Hour)
	s, _, pub := clinicStatusService(t, &at, start)
	op := auth.Operator{ID: "op1", Region: "27"}
	cases := []struct {
		name string
		cmd  RecordClinicStatus
		want error
	}{
		{"an unknown status is invalid", RecordClinicStatus{Status: "arrived"}, contracts.ErrInvalid},
		{"a cancellation without a reason is invalid", RecordClinicStatus{Status: "cancelled"}, contracts.ErrInvalid},
		{"a reason on a visit is invalid", RecordClinicStatus{Status: "no-show", ReasonCode: "other"}, contracts.ErrInvalid},
		{"a time on a cancellation is invalid", RecordClinicStatus{Status: "cancelled", ReasonCode: "other", Start: start}, contracts.ErrInvalid},
		{"a move without a start is invalid", RecordClinicStatus{Status: "moved"}, contracts.ErrInvalid},
		{"a move into the past is invalid", RecordClinicStatus{Status: "moved", Start: at.Add(-time.Hour)}, contracts.ErrInvalid},
		{"a move ending before its start is invalid", RecordClinicStatus{Status: "moved", Start: start, End: start.Add(-time.Minute)}, contracts.ErrInvalid},
		{"a no-show before the start is invalid", RecordClinicStatus{Status: "no-show"}, contracts.ErrInvalid},
		{"a note holding a SNILS is invalid", RecordClinicStatus{Status: "moved", Start: start, Note: "СНИЛС 12345678901"}, contracts.ErrInvalid},
		{"a pending booking is a conflict", RecordClinicStatus{ID: "b2", Status: "cancelled", ReasonCode: "other"}, contracts.ErrConflict},
		{"another region's operator finds nothing", RecordClinicStatus{Operator: auth.Operator{ID: "op9", Region: "25"}, Status: "cancelled", ReasonCode: "other"}, contracts.ErrNotFound},
		{"a missing booking is not found", RecordClinicStatus{ID: "nope", Status: "cancelled", ReasonCode: "other"}, contracts.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.cmd.Operator == (auth.Operator{}) {
				c.cmd.Operator = op
			}
			if c.cmd.ID == "" {
				c.cmd.ID = "b1"
			}
			if _, err := s.RecordClinicStatus(context.Background(), c.cmd); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	if len(pub.events) != 0 {
		t.Fatalf("refused records published %+v", pub.events)
	}
}

func TestTheSameKeyNamesTheSameClinicEvent(t *testing.T) {
	op := auth.Operator{ID: "op1", Region: "27"}
	a, b := operatorEventID(op, "b1", "k1"), operatorEventID(op, "b1", "k1")
	if a != b || a == operatorEventID(op, "b1", "k2") || a == operatorEventID(auth.Operator{ID: "op2", Region: "27"}, "b1", "k1") {
		t.Fatal("event ids must follow operator, booking and key, and only them")
	}
	if operatorEventID(op, "b1", "") == operatorEventID(op, "b1", "") {
		t.Fatal("a request without a key must get a new event id")
	}
}
