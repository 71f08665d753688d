package regionstatus_test

import (
	"context"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

type breakers map[string]contracts.RegionStatus

func (b breakers) Status(code string) contracts.RegionStatus { return b[code] }

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T, open sqldbtest.Open) *regionstatus.Store {
	t.Helper()
	db, _ := open(t)
	s, err := regionstatus.NewStore(context.Background(), db, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEveryInstanceShowsTheLatestRecentTransitionOfAnyInstance(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		now := t0
		clock := func() time.Time { return now }
		shared := newStore(t, open)
		a := regionstatus.New(shared, regionstatus.Config{Instance: "instance-a", Now: clock})
		b := regionstatus.New(shared, regionstatus.Config{Instance: "instance-b", Now: clock})
		now = t0.Add(-10 * time.Second)
		a.Record("77", contracts.RegionUnavailable)
		now = t0.Add(-5 * time.Minute)
		b.Record("25", contracts.RegionUnavailable)
		now = t0

		// This instance's breakers see every region healthy (no traffic there).
		view := regionstatus.New(shared, regionstatus.Config{TTL: time.Minute, Refresh: time.Nanosecond, Now: clock})
		view.UseLocal(breakers{"77": "available", "25": "available", "16": "available"})
		cases := []struct{ region, want, why string }{
			{"77", "unavailable", "another instance's recent transition speaks for the region"},
			{"25", "available", "a transition older than the TTL no longer speaks (its instance may be gone)"},
			{"16", "available", "without a record the local breaker speaks"},
		}
		for _, c := range cases {
			if got := view.Status(c.region); string(got) != c.want {
				t.Errorf("region %s: %s, want %s: %s", c.region, got, c.want, c.why)
			}
		}
	})
}

func TestTheLatestTransitionWinsWhateverOrderItArrivesIn(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		s := newStore(t, open)
		ctx := context.Background()
		_ = s.Record(ctx, "77", regionstatus.Transition{Status: "unavailable", Instance: "a", ChangedAt: t0.Add(2 * time.Second)})
		_ = s.Record(ctx, "77", regionstatus.Transition{Status: "available", Instance: "b", ChangedAt: t0.Add(time.Second)}) // older: ignored
		_ = s.Record(ctx, "25", regionstatus.Transition{Status: "degraded", Instance: "b", ChangedAt: t0})
		got, err := s.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r := got["77"]; r.Status != "unavailable" || r.Instance != "a" || !r.ChangedAt.Equal(t0.Add(2*time.Second)) {
			t.Errorf("region 77: %+v, want a's later transition", r)
		}
		if got["25"].Status != "degraded" || len(got) != 2 {
			t.Errorf("statuses %+v", got)
		}
	})
}
