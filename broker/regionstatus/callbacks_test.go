package regionstatus_test

import (
	"context"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

func TestCallbackRejectionsAreCountedAcrossInstances(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, another := open(t)
		ctx := context.Background()
		a, err := regionstatus.NewStore(ctx, db, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := regionstatus.NewStore(ctx, another(), true, nil)
		t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		_ = a.AddCallbackRejection(ctx, "78", "bad_signature", t0.Add(time.Minute))
		_ = b.AddCallbackRejection(ctx, "78", "bad_signature", t0) // an older one, recorded later
		_ = b.AddCallbackRejection(ctx, "16", "stale_timestamp", t0)
		got, err := a.CallbackRejections(ctx)
		if err != nil || len(got) != 2 {
			t.Fatalf("%+v %v", got, err)
		}
		if got[0].Region != "16" || got[1].Count != 2 || !got[1].LastAt.Equal(t0.Add(time.Minute)) {
			t.Errorf("rejections %+v", got)
		}
	})
}

func TestRecentCallbackRejectionsCountTheLastDayByTheHour(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, another := open(t)
		ctx := context.Background()
		a, err := regionstatus.NewStore(ctx, db, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := regionstatus.NewStore(ctx, another(), true, nil)
		now := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
		for _, r := range []struct {
			store  *regionstatus.Store
			region string
			reason string
			ago    time.Duration
		}{
			{a, "78", "bad_signature", time.Minute},
			{b, "78", "bad_signature", 3 * time.Hour},  // another instance, the same day
			{a, "78", "bad_signature", 30 * time.Hour}, // before the window: in the total only
			{b, "78", "stale_timestamp", 24 * time.Hour},
			{a, "16", "bad_signature", time.Minute}, // another region
		} {
			if err := r.store.AddCallbackRejection(ctx, r.region, r.reason, now.Add(-r.ago)); err != nil {
				t.Fatal(err)
			}
		}
		got, err := b.RecentCallbackRejections(ctx, "78", now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["bad_signature"] != 2 || got["stale_timestamp"] != 1 {
			t.Errorf("region 78's last 24 hours: %v, want bad_signature 2, stale_timestamp 1", got)
		}
		all, _ := a.CallbackRejections(ctx)
		for _, r := range all {
			if r.Region == "78" && r.Reason == "bad_signature" && r.Count != 3 {
				t.Errorf("region 78's bad signatures in total: %d, want 3", r.Count)
			}
		}
		// Two days on, the hours of the first day are swept by the next write.
		later := now.Add(72 * time.Hour)
		if err := a.AddCallbackRejection(ctx, "78", "bad_signature", later); err != nil {
			t.Fatal(err)
		}
		if got, _ := a.RecentCallbackRejections(ctx, "78", later); got["bad_signature"] != 1 || len(got) != 1 {
			t.Errorf("three days later: %v, want the one new refusal", got)
		}
		var kept int
		if err := db.R.QueryRowContext(ctx, db.Dialect.Bind(`SELECT COUNT(*) FROM region_callback_rejections_hourly WHERE region = ? AND reason = ?`),
			"78", "bad_signature").Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 1 {
			t.Errorf("%d hours of region 78's bad signatures kept, want the old ones swept (1)", kept)
		}
	})
}
