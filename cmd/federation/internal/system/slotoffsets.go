package system

import (
	"context"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
)

// shareSlotOffsets copies, every interval and once more on the way out,
// what each region's client counted of slots refused for their UTC offset
// into the shared region status records, where "federation regions status"
// shows them. It adds only what is new since the last copy that was stored.
func (s *System) shareSlotOffsets(ctx context.Context, every time.Duration) error {
	shared := map[string]int64{}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// The caller's context is done: one last copy on a fresh one.
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			s.copySlotOffsets(final, shared)
			cancel()
			return nil
		case <-t.C:
			s.copySlotOffsets(ctx, shared)
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

// slotOffsetsEvery is how often the counts are shared: often enough for an
// operator chasing a complaint, rare enough to cost the store nothing.
const slotOffsetsEvery = 10 * time.Second
