package analytics

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/broker/regionstatus"
)

// RegionHealth is what broker/regionstatus keeps of the regions, for the
// per-region report (a *regionstatus.Store).
type RegionHealth interface {
	CallbackRejections(ctx context.Context) ([]regionstatus.CallbackRejections, error)
	FeedSyncs(ctx context.Context) (map[string]regionstatus.FeedSync, error)
}

// Config configures a Service.
type Config struct {
	Store *Store // required
	// Health supplies callback refusals and feed syncs (nil: none shown).
	Health RegionHealth
	// Probes supplies the live conformance probes' runs (nil: none shown).
	Probes probes.Reader
	// EventsBehind reports the consumer's lag in events (nil: unknown).
	EventsBehind func() int64
	// Now is the clock for the default period; nil means time.Now.
	Now func() time.Time
}

// Service answers the analysts' queries: every figure suppressed (see
// the package doc) before it leaves.
type Service struct{ cfg Config }

// NewService checks cfg and returns the service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("analytics: Store is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}, nil
}

// Filter parses a reader's filter with the service's clock.
func (s *Service) Filter(from, to, region string) (Filter, error) {
	return ParseFilter(from, to, region, s.cfg.Now())
}

// all is the region (or specialty) name of a country-wide (all-specialty) row.
const all = "all"

// newReport starts a report with the consumer's lag.
func (s *Service) newReport(ctx context.Context, f Filter) (*Report, error) {
	st, err := s.cfg.Store.State(ctx)
	if err != nil {
		return nil, err
	}
	lag := Lag{EventsBehind: -1, Generation: st.Generation}
	if s.cfg.EventsBehind != nil {
		lag.EventsBehind = s.cfg.EventsBehind()
	}
	if !st.LastEventAt.IsZero() {
		lag.LastEventAt = &st.LastEventAt
	}
	return &Report{Filter: f, Consumer: lag}, nil
}

// cellsOf reads and suppresses the filter's base cells.
func (s *Service) cellsOf(ctx context.Context, f Filter) (map[cellKey]cell, error) {
	raw, err := s.cfg.Store.cells(ctx, f)
	if err != nil {
		return nil, err
	}
	return published(raw), nil
}

// Overview is the country's figures: booking requests per day by region,
// the booking saga's outcomes and their shares by region, and its
// end-to-end latency percentiles by region.
func (s *Service) Overview(ctx context.Context, f Filter) (*Report, error) {
	r, err := s.newReport(ctx, f)
	if err != nil {
		return nil, err
	}
	cells, err := s.cellsOf(ctx, f)
	if err != nil {
		return nil, err
	}
	lat, err := s.cfg.Store.histograms(ctx, f, latencyTable)
	if err != nil {
		return nil, err
	}
	country := f.Region == ""
	r.Tables = []*Table{byDay("bookings_by_day", cells, Requested, country),
		byRegion("outcomes", cells, []Outcome{Confirmed, Rejected, Failed}, country),
		percentiles("latency_seconds", lat, LatencyBounds, func(k histKey) histKey { return histKey{region: k.region} }, country)}
	return r, nil
}

// Region is one region's figures: requests per day, every outcome, the
// end-to-end latency per day, and the MIS's health (breaker transitions,
// refused callbacks, feed sync, conformance probes, the latency of its
// calls by operation: mis_latency).
func (s *Service) Region(ctx context.Context, f Filter) (*Report, error) {
	if f.Region == "" {
		return nil, invalid("a region report needs its region.")
	}
	r, err := s.newReport(ctx, f)
	if err != nil {
		return nil, err
	}
	cells, err := s.cellsOf(ctx, f)
	if err != nil {
		return nil, err
	}
	lat, err := s.cfg.Store.histograms(ctx, f, latencyTable)
	if err != nil {
		return nil, err
	}
	every := []Outcome{Requested, Confirmed, Rejected, Failed, CancelRequested, CancelledByCitizen, CancelledByClinic,
		CancelledByOperator, CancelRefused, RescheduleRequested, Rescheduled, RescheduleFailed, MovedByClinic,
		BookedElsewhere, Visited, NoShow}
	r.Tables = []*Table{byDay("volume_by_day", cells, Requested, false), byRegion("outcomes", cells, every, false),
		percentiles("latency_seconds_by_day", lat, LatencyBounds, func(k histKey) histKey { return histKey{day: k.day, region: k.region} }, false)}
	health, err := s.health(ctx, f)
	if err != nil {
		return nil, err
	}
	r.Tables = append(r.Tables, health...)
	return r, nil
}

// Waiting is the waiting time from request to appointment of confirmed
// bookings, by region and specialty (and over all specialties), and how
// far ahead the next free slot was when citizens searched from today
// (next_free_slot_hours, from SlotLeadTime samples).
func (s *Service) Waiting(ctx context.Context, f Filter) (*Report, error) {
	r, err := s.newReport(ctx, f)
	if err != nil {
		return nil, err
	}
	w, err := s.cfg.Store.histograms(ctx, f, waitingTable)
	if err != nil {
		return nil, err
	}
	lead, err := s.cfg.Store.histograms(ctx, f, leadTimesTable)
	if err != nil {
		return nil, err
	}
	bySpecialty := func(k histKey) histKey { return histKey{region: k.region, specialty: k.specialty} }
	r.Tables = []*Table{
		percentiles("waiting_hours", w, WaitingBounds, bySpecialty, false),
		percentiles("waiting_hours_all_specialties", w, WaitingBounds, func(k histKey) histKey { return histKey{region: k.region} }, f.Region == ""),
		percentiles("next_free_slot_hours", lead, WaitingBounds, bySpecialty, false),
	}
	return r, nil
}

// Cancellations is cancellations by whom, by region.
func (s *Service) Cancellations(ctx context.Context, f Filter) (*Report, error) {
	return s.outcomes(ctx, f, "cancellations", CancelRequested, CancelledByCitizen, CancelledByClinic, CancelledByOperator, CancelRefused)
}

// NoShows is visits and no-shows, by region.
func (s *Service) NoShows(ctx context.Context, f Filter) (*Report, error) {
	return s.outcomes(ctx, f, "attendance", Visited, NoShow)
}

// Reschedules is the citizens' moves and the clinics', by region.
func (s *Service) Reschedules(ctx context.Context, f Filter) (*Report, error) {
	return s.outcomes(ctx, f, "reschedules", RescheduleRequested, Rescheduled, RescheduleFailed, MovedByClinic)
}

func (s *Service) outcomes(ctx context.Context, f Filter, name string, outcomes ...Outcome) (*Report, error) {
	r, err := s.newReport(ctx, f)
	if err != nil {
		return nil, err
	}
	cells, err := s.cellsOf(ctx, f)
	if err != nil {
		return nil, err
	}
	r.Tables = []*Table{byRegion(name, cells, outcomes, f.Region == ""), byDayEach(name+"_by_day", cells, outcomes)}
	return r, nil
}

// regionsOf and daysOf list the regions and days the cells cover, sorted.
func regionsOf(cells map[cellKey]cell) []string {
	var out []string
	for k := range cells {
		out = append(out, k.region)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func daysOf(cells map[cellKey]cell) []string {
	var out []string
	for k := range cells {
		out = append(out, k.day)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
