package bookings

import (
	"errors"
	"testing"
	"time"

	"github.com/fedhealth/federation/sagas"
)

func TestTheGuardsRefuseOverlapsAsInstantsAndCountActiveBookings(t *testing.T) {
	msk, vlad := time.FixedZone("+03", 3*3600), time.FixedZone("+10", 10*3600)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	at := func(id string, status sagas.Status, start time.Time) *sagas.Booking {
		return &sagas.Booking{ID: id, Status: status, Slot: sagas.SlotSnapshot{Start: start, End: start.Add(20 * time.Minute)}}
	}
	// 10:00 in Moscow is 17:00 in Vladivostok: the same instant.
	moscow10 := time.Date(2026, 12, 3, 10, 0, 0, 0, msk)
	near := func(bs ...*sagas.Booking) sagas.CitizenLoad { return sagas.CitizenLoad{Active: len(bs), Near: bs} }
	// Which bookings are active (a confirmed visit that has begun is not)
	// the store counts: storetest's "a citizen's load ..." holds it to that.
	tests := []struct {
		name     string
		g        guards
		load     sagas.CitizenLoad
		want     error
		wantWith string // the booking an overlap names
	}{
		{"a slot at the same instant in another zone overlaps", guards{maxActive: 10},
			near(at("b1", sagas.StatusConfirmed, time.Date(2026, 12, 3, 17, 10, 0, 0, vlad))), ErrOverlaps, "b1"},
		{"the same wall-clock time in another zone does not overlap", guards{maxActive: 10},
			near(at("b1", sagas.StatusPending, time.Date(2026, 12, 3, 10, 0, 0, 0, vlad))), nil, ""},
		{"a slot that ends as the new one starts does not overlap", guards{maxActive: 10},
			near(at("b1", sagas.StatusPending, moscow10.Add(-20*time.Minute))), nil, ""},
		{"overlaps may be allowed", guards{maxActive: 10, allowOverlaps: true},
			near(at("b1", sagas.StatusPending, moscow10)), nil, ""},
		{"a citizen at the cap is refused", guards{maxActive: 2}, sagas.CitizenLoad{Active: 2}, ErrTooManyActive, ""},
		{"a citizen below the cap is not", guards{maxActive: 2}, sagas.CitizenLoad{Active: 1}, nil, ""},
		{"no cap when the cap is off", guards{maxActive: -1}, sagas.CitizenLoad{Active: 50}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.g.check(at("new", sagas.StatusPending, moscow10), tc.load, now)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("check: %v, want %v", err, tc.want)
			}
			var oe *OverlapError
			if errors.As(err, &oe) && (oe.Other != tc.wantWith || len(oe.PublicDetail()) > 200) {
				t.Errorf("overlap names %q in %q, want %q within 200 characters", oe.Other, oe.PublicDetail(), tc.wantWith)
			}
		})
	}
}
