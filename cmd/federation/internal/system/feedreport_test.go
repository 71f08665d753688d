package system_test

import (
	"testing"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas/sqldb"
)

// "federation regions status" reads the feed regions' polling state from
// the shared store; an instance records it as it runs and once more when
// it stops.
func TestAFeedRegionsPollingStateReachesTheSharedRegionStatus(t *testing.T) {
	h := newHarness(t, 1, withFeedRegion(t, 0))
	h.feedSlots(h.token("feed-report"), 1) // the first sync is done
	h.stop()

	db, err := sqldb.Open(system.DatabaseConfig(h.opts))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := regionstatus.NewStore(t.Context(), db, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	feeds, err := st.FeedSyncs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f, ok := feeds[feedCode]
	if !ok || len(feeds) != 1 {
		t.Fatalf("feed states %+v, want one for region %s (and none for the fhir region)", feeds, feedCode)
	}
	if f.Availability != "known" || f.LastSync.IsZero() || f.LastAttempt.Before(f.LastSync) || f.Slots == 0 ||
		f.FreeSlots == 0 || f.FreeSlots > f.Slots || f.LastError != "" || f.Instance == "" {
		t.Errorf("region %s feed state %+v, want a known, synced data set with free slots", feedCode, f)
	}
}
