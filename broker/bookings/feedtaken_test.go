package bookings

import (
	"context"
	"testing"
	"time"

	"github.com/fedhealth/federation/sagas"
)

func TestBookedFeedSlotsAreReadFromTheStoreAtMostOnceASecond(t *testing.T) {
	db := openStore(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	taken := newTakenSlots(db, func() time.Time { return now })
	ctx := context.Background()
	book := func(id, slot string) {
		t.Helper()
		b := sagas.NewOperatorBooking(id, "c-"+id, sagas.SlotSnapshot{ID: "27:" + slot, MISSlotID: slot}, "27", nil, "", now, time.Hour)
		if err := db.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	book("b1", "S-1")
	if got, err := taken.of(ctx, "27"); err != nil || !got["S-1"] || len(got) != 1 {
		t.Fatalf("booked slots %v, %v; want S-1", got, err)
	}
	book("b2", "S-2") // through another instance
	if got, _ := taken.of(ctx, "27"); got["S-2"] {
		t.Fatal("the reading was not kept for its second")
	}
	now = now.Add(takenRefresh)
	if got, _ := taken.of(ctx, "27"); !got["S-2"] {
		t.Fatal("a reading a second old was not refreshed: another instance's booking stays offered")
	}
	book("b3", "S-3") // through this instance, which forgets its reading
	taken.forget("27")
	if got, _ := taken.of(ctx, "27"); !got["S-3"] {
		t.Fatal("after forget the store was not read again")
	}
	if got, _ := taken.of(ctx, "25"); len(got) != 0 {
		t.Fatalf("another region's booked slots: %v", got)
	}
	db.Close()
	now = now.Add(takenRefresh)
	if _, err := taken.of(ctx, "27"); err == nil {
		t.Fatal("an unreadable store gave a set of booked slots: a booked slot would be offered")
	}
}
