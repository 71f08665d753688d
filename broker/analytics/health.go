package analytics

import (
	"context"
	"strings"
)

// health is the region's MIS health as tables: breaker transitions,
// refused status callbacks and the feed's last sync (from
// broker/regionstatus), and conformance probes. These count requests and
// states, never citizens, so they are not suppressed. The MIS's latency
// (mis_latency) comes after them: its call counts are suppressed, see
// misLatency.
func (s *Service) health(ctx context.Context, f Filter) ([]*Table, error) {
	trans, err := s.cfg.Store.Transitions(ctx, f.Region, f)
	if err != nil {
		return nil, err
	}
	breaker := newTable("breaker_transitions")
	for _, tr := range trans {
		breaker.add(Row{At: &tr.At, Region: f.Region, Measure: "breaker", Text: tr.Status})
	}
	pt, err := s.probeRuns(ctx, f)
	if err != nil {
		return nil, err
	}
	lat, err := s.misLatency(ctx, f)
	if err != nil {
		return nil, err
	}
	out := []*Table{breaker, pt}
	if s.cfg.Health == nil {
		return append(out, lat), nil
	}
	rejections, err := s.cfg.Health.CallbackRejections(ctx)
	if err != nil {
		return nil, err
	}
	cb := newTable("callback_rejections")
	for _, r := range rejections {
		if r.Region == f.Region {
			cb.add(valueRow(Row{At: &r.LastAt, Region: r.Region, Measure: r.Reason}, float64(r.Count)))
		}
	}
	feeds, err := s.cfg.Health.FeedSyncs(ctx)
	if err != nil {
		return nil, err
	}
	fs := newTable("feed_sync")
	if feed, ok := feeds[f.Region]; ok {
		fs.add(valueRow(Row{At: &feed.LastSync, Region: f.Region, Measure: "free_slots", Text: feed.Availability}, float64(feed.FreeSlots)))
		fs.add(valueRow(Row{At: &feed.LastAttempt, Region: f.Region, Measure: "slots", Text: feed.LastOutcome}, float64(feed.Slots)))
	}
	return append(out, cb, fs, lat), nil
}

// probeRunsShown bounds the live probes' runs a region report lists: a
// 90-day period of 10-minute probes is 13,000 runs; the newest are shown.
const probeRunsShown = 1000

// probeRuns is the region's live conformance probe runs in the period
// (broker/probes owns them): per run, the requirements that failed (value)
// and their IDs, or why the run checked nothing.
func (s *Service) probeRuns(ctx context.Context, f Filter) (*Table, error) {
	pt := newTable("conformance_probes")
	if s.cfg.Probes == nil {
		return pt, nil
	}
	from, to, err := dayRange(f)
	if err != nil {
		return nil, err
	}
	runs, err := s.cfg.Probes.Runs(ctx, f.Region, probeRunsShown)
	if err != nil {
		return nil, err
	}
	for i := len(runs) - 1; i >= 0; i-- { // oldest first, as the other tables
		r := runs[i]
		if r.Started.Before(from) || !r.Started.Before(to) {
			continue
		}
		text := strings.Join(r.FailedIDs, " ")
		if r.Error != "" {
			text = r.Error
		}
		pt.add(valueRow(Row{At: &r.Started, Region: f.Region, Measure: "failed_requirements", Text: text}, float64(r.Failed)))
	}
	return pt, nil
}
