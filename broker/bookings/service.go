// Package bookings holds the citizen use cases of the federal front end:
// list the regions, search slots (in one region, or in every region at once
// from an in-memory slot index: slotindex.go), request a booking, read one booking (or
// wait for it to be final), read the history, cancel, reschedule. Each is a method of
// Service taking a typed command; the HTTP API (broker/api) and, later, the
// web pages only decode, call the service and encode.
//
// The service owns the rules: which slot ids and search ranges are valid,
// how a booking id derives from the citizen's idempotency key, who may see
// or cancel a booking (another citizen's booking is simply not found), how
// long a booking may stay pending, and the citizen guards (no two live
// bookings of a citizen overlap in time; a cap on active ones: guards.go). It starts sagas by saving a Booking
// through sagas.Store (the booking and its first command in one
// transaction) and reaches the regions only through contracts ports.
package bookings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// Regions is what the service needs of the region registry.
type Regions interface {
	contracts.Directory
	// Regions lists the configured regions, sorted by code.
	Regions() []contracts.Region
	// Status is what citizens are told about the region's MIS now.
	Status(code string) contracts.RegionStatus
	// Location is the region's time zone, nil for an unknown region.
	Location(code string) *time.Location
}

// FeedSlots is what the service needs to know of the feed regions' slot
// caches (the region registry implements it). Which of their slots are
// booked is the store's to say (sagas.OperatorQueue.LiveOperatorSlots),
// not the cache's: every instance reads the same bookings.
type FeedSlots interface {
	// FeedSync is the time of the region's last successful sync (zero
	// before the first) and whether its availability is known; ok is
	// false for a region that is not of kind feed.
	FeedSync(code string) (lastSync time.Time, known, ok bool)
}

// Config wires the service.
type Config struct {
	Regions    Regions
	Bookings   sagas.Store
	Pseudonyms *auth.Pseudonymizer
	Sealer     sagas.Sealer
	// Feeds and Queue serve the feed regions, whose bookings go to the
	// region's operator queue; required when a region is of kind feed.
	Feeds FeedSlots
	Queue sagas.OperatorQueue
	// Clinic is where an operator's record of what the clinic did to a
	// confirmed feed booking goes (sagas/clinic.Publisher, the path of the
	// other kinds' callbacks); Confirmed lists the bookings they act on.
	// Without them those actions answer that they are not available.
	Clinic    ClinicPublisher
	Confirmed sagas.OperatorConfirmed
	// KindDeadlines is how long a booking may stay pending, by region
	// kind; a kind not listed gets BookingDeadline, except feed, whose
	// default is 24h (an operator answers, not an MIS).
	KindDeadlines map[contracts.RegionKind]time.Duration
	// Watch, when set, wakes waiting readers when a booking changes
	// (store.DB.Watch); without it they re-read twice a second.
	Watch func(id string) (<-chan struct{}, func())
	// BookingDeadline is how long a booking may stay pending; default 2m.
	BookingDeadline time.Duration
	// Backlog, when set, lets admission refuse new bookings of a region
	// whose queue is too long for them to finish in time (admission.go).
	Backlog Backlog
	// MaxQueueDelay is the longest the oldest waiting booking of a region
	// may have waited for new ones to be admitted; default half of the
	// region's deadline (its kind's, KindDeadlines, else BookingDeadline).
	// Feed regions are never refused by queue age: nothing is called,
	// their bookings wait for operators, not in a queue to an MIS.
	MaxQueueDelay time.Duration
	// SearchHorizonDays is how far ahead of today a slot search may reach;
	// default 180 days.
	SearchHorizonDays int
	// LeadTimes, when set, is told the earliest free slot of each
	// specialty a search from today found, for analytics (the caller
	// samples and publishes; it must not block).
	LeadTimes func(region, specialty string, earliest, observed time.Time)
	// MaxActivePerCitizen caps a citizen's active bookings (pending,
	// cancelling, and confirmed whose visit has not begun) across all
	// regions; 0 means DefaultMaxActivePerCitizen, a negative value no cap.
	MaxActivePerCitizen int
	// AllowOverlapping lifts the rule that no two live bookings of one
	// citizen overlap in time. Only for load tests and drills that book
	// many slots as a few synthetic citizens; never in production.
	AllowOverlapping bool
	// Elsewhere, when set, imports on reading the history the bookings
	// the citizen's clinics made through other channels in the regions no
	// scheduled pass can list (elsewhere.go); ElsewhereEvery is how often
	// per citizen, default DefaultElsewhereEvery.
	Elsewhere      ElsewhereImporter
	ElsewhereEvery time.Duration
	// MaxWait caps Wait; default 30s.
	MaxWait time.Duration
	// CommitTimeout bounds the write that records a new booking once its
	// slot is described, even when the caller has gone; default 10s.
	CommitTimeout time.Duration
	// SlotCache sizes the cache of slots citizens were shown; defaults
	// 100,000 slots for 30 minutes.
	SlotCacheSize int
	SlotCacheTTL  time.Duration
	// Index sizes and paces the slot index behind the search across
	// regions (slotindex.go); zero fields take the defaults.
	Index  IndexConfig
	Now    func() time.Time
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.BookingDeadline == 0 {
		c.BookingDeadline = 2 * time.Minute
	}
	deadlines := map[contracts.RegionKind]time.Duration{contracts.RegionFeed: DefaultFeedDeadline}
	for k, d := range c.KindDeadlines {
		if d != 0 {
			deadlines[k] = d
		}
	}
	c.KindDeadlines = deadlines
	if c.SearchHorizonDays == 0 {
		c.SearchHorizonDays = 180
	}
	if c.MaxActivePerCitizen == 0 {
		c.MaxActivePerCitizen = DefaultMaxActivePerCitizen
	}
	if c.MaxWait == 0 {
		c.MaxWait = 30 * time.Second
	}
	if c.ElsewhereEvery == 0 {
		c.ElsewhereEvery = DefaultElsewhereEvery
	}
	if c.CommitTimeout == 0 {
		c.CommitTimeout = 10 * time.Second
	}
	if c.SlotCacheSize == 0 {
		c.SlotCacheSize = 100_000
	}
	if c.SlotCacheTTL == 0 {
		c.SlotCacheTTL = 30 * time.Minute
	}
	c.Index.setDefaults()
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate reports a configuration the service cannot run with.
func (c Config) Validate() error {
	if c.Regions == nil || c.Bookings == nil || c.Pseudonyms == nil || c.Sealer == nil {
		return errors.New("bookings: Regions, Bookings, Pseudonyms and Sealer are required")
	}
	if err := c.Index.Validate(); err != nil {
		return err
	}
	if c.SearchHorizonDays < 0 {
		return errors.New("bookings: SearchHorizonDays must not be negative")
	}
	for k, d := range c.KindDeadlines {
		if d < 0 {
			return fmt.Errorf("bookings: the deadline of kind %s must not be negative", k)
		}
	}
	for _, r := range c.Regions.Regions() {
		if r.Kind == contracts.RegionFeed && (c.Feeds == nil || c.Queue == nil) {
			return fmt.Errorf("bookings: region %s is of kind feed: Feeds and Queue are required", r.Code)
		}
	}
	return nil
}

// deadlineOf is how long a new booking of a region of kind may stay
// pending.
func (c Config) deadlineOf(kind contracts.RegionKind) time.Duration {
	if d, ok := c.KindDeadlines[kind]; ok {
		return d
	}
	return c.BookingDeadline
}

// maxQueueDelay is admission's bound for a region of kind: zero (not
// admitted by queue age) for feed.
func (c Config) maxQueueDelay(kind contracts.RegionKind) time.Duration {
	switch {
	case kind == contracts.RegionFeed:
		return 0
	case c.MaxQueueDelay != 0:
		return c.MaxQueueDelay
	}
	return c.deadlineOf(kind) / 2
}

// DefaultFeedDeadline is how long a feed region's booking may wait for
// its operator unless configured otherwise.
const DefaultFeedDeadline = 24 * time.Hour

// Service runs the citizen use cases. It is safe for concurrent use.
type Service struct {
	cfg       Config
	slots     *slotCache
	taken     *takenSlots
	admission *admission
	guards    guards
	kinds     map[string]contracts.RegionKind // by region code; the registry is immutable
	elsewhere *elsewhere                      // nil: no import on reading the history
	index     *slotIndex                      // answers the search across regions
}

// New checks cfg and returns the service.
func New(cfg Config) (*Service, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	kinds := map[string]contracts.RegionKind{}
	for _, r := range cfg.Regions.Regions() {
		kinds[r.Code] = r.Kind
	}
	maxDelay := func(region string) time.Duration { return cfg.maxQueueDelay(kinds[region]) }
	return &Service{cfg: cfg, slots: newSlotCache(cfg.SlotCacheSize, cfg.SlotCacheTTL),
		taken:     newTakenSlots(cfg.Queue, cfg.Now),
		admission: newAdmission(cfg.Backlog, maxDelay, cfg.Now), kinds: kinds,
		elsewhere: newElsewhere(cfg.Elsewhere, cfg.ElsewhereEvery, cfg),
		guards:    guards{maxActive: cfg.MaxActivePerCitizen, allowOverlaps: cfg.AllowOverlapping},
		index:     newSlotIndex(cfg.Index, cfg.Now)}, nil
}

// deadline is how long a new booking of region may stay pending.
func (s *Service) deadline(region string) time.Duration { return s.cfg.deadlineOf(s.kinds[region]) }

// CitizenKey is the keyed pseudonym the citizen's bookings and requests are
// stored under, never the identity provider's subject in clear.
func (s *Service) CitizenKey(c auth.Citizen) string {
	return s.cfg.Pseudonyms.Pseudonym("citizen", c.Subject)
}

// Region is one region as citizens see it.
type Region struct {
	contracts.Region
	Status contracts.RegionStatus
	// Feed is set for a feed region: what the broker knows of its slots.
	Feed *FeedState
}

// FeedState is what the broker knows of a feed region's published slots.
type FeedState struct {
	// LastSync is the time of the last successful read of the feed, zero
	// before the first.
	LastSync time.Time
	// Known is false while the feed has never been read or is stale.
	Known bool
}

// Regions lists every region with the status citizens should expect.
func (s *Service) Regions() []Region {
	regs := s.cfg.Regions.Regions()
	out := make([]Region, len(regs))
	for i, r := range regs {
		out[i] = Region{Region: r, Status: s.cfg.Regions.Status(r.Code)}
		if s.cfg.Feeds == nil || r.Kind != contracts.RegionFeed {
			continue
		}
		if last, known, ok := s.cfg.Feeds.FeedSync(r.Code); ok {
			out[i].Feed = &FeedState{LastSync: last, Known: known}
		}
	}
	return out
}

// withoutCaller keeps ctx's values but not its cancellation, bounded by d:
// for writes that must land although the citizen hung up, because the
// retry will look for what they wrote.
func withoutCaller(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

// PendingDeadline is how long a new booking of region may stay pending:
// for a feed region, how long its operator has to answer.
func (s *Service) PendingDeadline(region string) time.Duration { return s.deadline(region) }
