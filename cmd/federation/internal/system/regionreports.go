package system

import (
	"context"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
)

// shareRegionReports copies, every interval and once more on the way out,
// what this instance knows of its regions and operators must see over
// every instance into the shared region status records, where "federation
// regions status" shows them: the slots each region's client refused for
// their UTC offset (only what is new since the last stored copy), and each
// feed region's polling state.
func (s *System) shareRegionReports(ctx context.Context, every time.Duration) error {
	shared := map[string]int64{}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// The caller's context is done: one last copy on a fresh one.
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			s.copySlotOffsets(final, shared)
			s.copyFeedSyncs(final)
			cancel()
			return nil
		case <-t.C:
			s.copySlotOffsets(ctx, shared)
			s.copyFeedSyncs(ctx)
		}
	}
}

func (s *System) copySlotOffsets(ctx context.Context, shared map[string]int64) {
	for _, r := range s.Registry.Regions() {
		rep := s.Registry.SlotOffsetMismatches(r.Code)
		n := rep.Count - shared[r.Code]
		if n <= 0 {
			continue
		}
		last := regionstatus.SlotOffsets{SlotID: rep.Last.SlotID, Got: rep.Last.Got, Want: rep.Last.Want, SeenAt: rep.Last.SeenAt}
		if s.regionStatus.AddSlotOffsets(ctx, r.Code, n, last) == nil {
			shared[r.Code] = rep.Count
		}
	}
}

// copyFeedSyncs records each feed region's polling state as this instance
// sees it; a record that fails is replaced by the next one.
func (s *System) copyFeedSyncs(ctx context.Context) {
	for _, r := range s.Registry.Regions() {
		st, err := s.Registry.FeedStatus(r.Code)
		if err != nil {
			continue // not a feed region
		}
		skipped := make(map[string]int64, len(st.Skipped))
		for reason, n := range st.Skipped {
			skipped[reason] = int64(n)
		}
		_ = s.regionStatus.RecordFeedSync(ctx, r.Code, regionstatus.FeedSync{
			Availability: string(st.Availability), LastSync: st.LastSync, LastAttempt: st.LastAttempt,
			LastOutcome: st.LastOutcome, LastError: st.LastError, Published: st.Published,
			Slots: int64(st.Slots), FreeSlots: int64(st.FreeSlots), Skipped: skipped,
			RefusedManifests: st.RefusedManifests,
		})
	}
}

// regionReportsEvery is how often the reports are shared: often enough for
// an operator chasing a complaint, rare enough to cost the store nothing.
const regionReportsEvery = 10 * time.Second
