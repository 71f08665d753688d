package bookings

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/store"
)

// feedRegions is a registry of one feed region, 27, whose feed is fresh.
type feedRegions struct{}

func (feedRegions) MIS(string) (contracts.MIS, error) {
	return nil, errors.New("no MIS in these tests")
}
func (feedRegions) Regions() []contracts.Region {
	return []contracts.Region{{Code: "27", Kind: contracts.RegionFeed}}
}
func (feedRegions) Status(string) contracts.RegionStatus { return contracts.RegionAvailable }
func (feedRegions) Location(string) *time.Location       { return time.UTC }
func (feedRegions) FeedSync(string) (time.Time, bool, bool) {
	return time.Now(), true, true
}

// unreadable is a store whose reads fail after its writes succeed: what a
// service must survive once its change is committed.
type unreadable struct{ *store.DB }

func (unreadable) Get(context.Context, string) (*sagas.Booking, error) {
	return nil, errors.New("store: read after the commit failed")
}

func newOperatorService(t *testing.T, now func() time.Time) (*Service, *store.DB) {
	t.Helper()
	db := openStore(t)
	pseudo, err := auth.NewPseudonymizer(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Regions: feedRegions{}, Bookings: unreadable{db}, Pseudonyms: pseudo, Sealer: sealer,
		Feeds: feedRegions{}, Queue: db, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func TestAnOperatorsCommittedActionIsAnsweredEvenIfTheBookingCannotBeReadBack(t *testing.T) {
	s, db := newOperatorService(t, nil)
	ctx := context.Background()
	op := auth.Operator{ID: "op1", Region: "27"}
	for _, id := range []string{"b1", "b2"} {
		b := sagas.NewOperatorBooking(id, "c1", sagas.SlotSnapshot{ID: "27:S-" + id, MISSlotID: "S-" + id}, "27", nil, "", time.Now(), time.Hour)
		if err := db.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ConfirmBooking(ctx, ConfirmBooking{Operator: op, ID: "b1", MISAppointmentID: "APT-1"})
	if err != nil || got.Status != sagas.StatusConfirmed {
		t.Fatalf("confirm: %+v, %v; want confirmed, with no read after the commit", got, err)
	}
	got, err = s.DeclineBooking(ctx, DeclineBooking{Operator: op, ID: "b2", Code: string(sagas.DeclineDuplicate)})
	if err != nil || got.Status != sagas.StatusRejected {
		t.Fatalf("decline: %+v, %v; want rejected", got, err)
	}
	// Repeats with the same effect are answered, not refused.
	if got, err := s.ConfirmBooking(ctx, ConfirmBooking{Operator: op, ID: "b1", MISAppointmentID: "APT-1"}); err != nil || got.Status != sagas.StatusConfirmed {
		t.Errorf("confirm again: %+v, %v", got, err)
	}
	if _, err := s.DeclineBooking(ctx, DeclineBooking{Operator: op, ID: "b2", Code: "closed_today"}); !errors.Is(err, contracts.ErrInvalid) {
		t.Errorf("an unknown code: %v, want invalid", err)
	}
}

func TestAConfirmationPastTheDeadlineIsRefusedBeforeTheSweeperRuns(t *testing.T) {
	at := time.Now()
	s, db := newOperatorService(t, func() time.Time { return at })
	ctx := context.Background()
	b := sagas.NewOperatorBooking("b1", "c1", sagas.SlotSnapshot{ID: "27:S-1", MISSlotID: "S-1"}, "27", nil, "", at, time.Hour)
	if err := db.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	at = at.Add(time.Hour + time.Second) // past the deadline; no sweeper has run
	_, err := s.ConfirmBooking(ctx, ConfirmBooking{Operator: auth.Operator{ID: "op1", Region: "27"}, ID: "b1", MISAppointmentID: "APT-1"})
	if !errors.Is(err, sagas.ErrDeadlinePassed) {
		t.Fatalf("confirm past the deadline: %v, want ErrDeadlinePassed", err)
	}
	if got, _ := db.Get(ctx, "b1"); got.Status != sagas.StatusPending {
		t.Fatalf("the refused confirmation left the booking %s", got.Status)
	}
}
