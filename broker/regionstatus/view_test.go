package regionstatus_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/store"
)

type breakers map[string]contracts.RegionStatus

func (b breakers) Status(code string) contracts.RegionStatus { return b[code] }

func TestEveryInstanceShowsTheLatestRecentTransitionOfAnyInstance(t *testing.T) {
	db, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "s.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	// This instance's breakers see every region healthy (no traffic there).
	view := regionstatus.New(breakers{"77": "available", "25": "available", "16": "available"}, db,
		regionstatus.Config{TTL: time.Minute, Refresh: time.Nanosecond, Now: func() time.Time { return now }})
	ctx := context.Background()
	_ = db.RecordRegionStatus(ctx, "77", "unavailable", "instance-a", now.Add(-10*time.Second))
	_ = db.RecordRegionStatus(ctx, "25", "unavailable", "instance-b", now.Add(-5*time.Minute))

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
}
