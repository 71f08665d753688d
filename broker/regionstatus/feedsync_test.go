package regionstatus_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

func TestTheLatestPollOfAFeedRegionIsShownWhicheverInstanceMadeIt(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		ctx := context.Background()
		shared := newStore(t, open)
		a := regionstatus.New(shared, regionstatus.Config{Instance: "instance-a"})
		b := regionstatus.New(shared, regionstatus.Config{Instance: "instance-b"})
		latest := regionstatus.FeedSync{Availability: "unknown", LastSync: t0.Add(-time.Hour), LastAttempt: t0,
			LastOutcome: "error", LastError: "manifest lists a file on another host", Slots: 40, FreeSlots: 12,
			Skipped: map[string]int64{"malformed": 2, "too_long": 1}, RefusedManifests: 3}
		older := regionstatus.FeedSync{Availability: "known", LastSync: t0.Add(-time.Minute), LastAttempt: t0.Add(-time.Minute),
			LastOutcome: "updated", Slots: 41, FreeSlots: 13}
		if err := a.RecordFeedSync(ctx, "39", latest); err != nil {
			t.Fatal(err)
		}
		// Instance b's clock is behind: its older poll must not hide a's.
		if err := b.RecordFeedSync(ctx, "39", older); err != nil {
			t.Fatal(err)
		}
		never := regionstatus.FeedSync{Availability: "unknown", LastAttempt: t0, LastOutcome: "error", LastError: "connection refused"}
		if err := b.RecordFeedSync(ctx, "41", never); err != nil {
			t.Fatal(err)
		}
		got, err := shared.FeedSyncs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r := got["39"]
		if r.Instance != "instance-a" || r.Availability != "unknown" || !r.LastSync.Equal(latest.LastSync) ||
			!r.LastAttempt.Equal(t0) || r.LastError != latest.LastError || r.Slots != 40 || r.FreeSlots != 12 ||
			!maps.Equal(r.Skipped, latest.Skipped) || r.SkippedTotal() != 3 || r.RefusedManifests != 3 {
			t.Errorf("region 39 = %+v, want instance-a's later poll %+v", r, latest)
		}
		if r := got["41"]; !r.LastSync.IsZero() || !r.Published.IsZero() || len(r.Skipped) != 0 || r.Instance != "instance-b" {
			t.Errorf("region 41 (never synced) = %+v", r)
		}
	})
}
