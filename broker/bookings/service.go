// Package bookings holds the citizen use cases of the federal front end:
// list the regions, search slots, request a booking, read one booking (or
// wait for it to be final), read the history, cancel. Each is a method of
// Service taking a typed command; the HTTP API (broker/api) and, later, the
// web pages only decode, call the service and encode.
//
// The service owns the rules: which slot ids and search ranges are valid,
// how a booking id derives from the citizen's idempotency key, who may see
// or cancel a booking (another citizen's booking is simply not found), and
// how long a booking may stay pending. It starts sagas by saving a Booking
// through sagas.Store (the booking and its first command in one
// transaction) and reaches the regions only through contracts ports.
package bookings

import (
	"context"
	"errors"
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

// Config wires the service.
type Config struct {
	Regions    Regions
	Bookings   sagas.Store
	Pseudonyms *auth.Pseudonymizer
	Sealer     sagas.Sealer
	// Watch, when set, wakes waiting readers when a booking changes
	// (store.DB.Watch); without it they re-read twice a second.
	Watch func(id string) (<-chan struct{}, func())
	// BookingDeadline is how long a booking may stay pending; default 2m.
	BookingDeadline time.Duration
	// Backlog, when set, lets admission refuse new bookings of a region
	// whose queue is too long for them to finish in time (admission.go).
	Backlog Backlog
	// MaxQueueDelay is the longest the oldest waiting booking of a region
	// may have waited for new ones to be admitted; default half of
	// BookingDeadline.
	MaxQueueDelay time.Duration
	// SearchHorizonDays is how far ahead of today a slot search may reach;
	// default 180 days.
	SearchHorizonDays int
	// MaxWait caps Wait; default 30s.
	MaxWait time.Duration
	// CommitTimeout bounds the write that records a new booking once its
	// slot is described, even when the caller has gone; default 10s.
	CommitTimeout time.Duration
	// SlotCache sizes the cache of slots citizens were shown; defaults
	// 100,000 slots for 30 minutes.
	SlotCacheSize int
	SlotCacheTTL  time.Duration
	Now           func() time.Time
	Logger        *slog.Logger
}

func (c *Config) setDefaults() {
	if c.BookingDeadline == 0 {
		c.BookingDeadline = 2 * time.Minute
	}
	if c.MaxQueueDelay == 0 {
		c.MaxQueueDelay = c.BookingDeadline / 2
	}
	if c.SearchHorizonDays == 0 {
		c.SearchHorizonDays = 180
	}
	if c.MaxWait == 0 {
		c.MaxWait = 30 * time.Second
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
	if c.SearchHorizonDays < 0 {
		return errors.New("bookings: SearchHorizonDays must not be negative")
	}
	return nil
}

// Service runs the citizen use cases. It is safe for concurrent use.
type Service struct {
	cfg       Config
	slots     *slotCache
	admission *admission
}

// New checks cfg and returns the service.
func New(cfg Config) (*Service, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, slots: newSlotCache(cfg.SlotCacheSize, cfg.SlotCacheTTL, cfg.Now),
		admission: newAdmission(cfg.Backlog, cfg.MaxQueueDelay, cfg.Now)}, nil
}

// CitizenKey is the keyed pseudonym the citizen's bookings and requests are
// stored under, never the identity provider's subject in clear.
func (s *Service) CitizenKey(c auth.Citizen) string {
	return s.cfg.Pseudonyms.Pseudonym("citizen", c.Subject)
}

// Region is one region as citizens see it.
type Region struct {
	contracts.Region
	Status contracts.RegionStatus
}

// Regions lists every region with the status citizens should expect.
func (s *Service) Regions() []Region {
	regs := s.cfg.Regions.Regions()
	out := make([]Region, len(regs))
	for i, r := range regs {
		out[i] = Region{Region: r, Status: s.cfg.Regions.Status(r.Code)}
	}
	return out
}

// withoutCaller keeps ctx's values but not its cancellation, bounded by d:
// for writes that must land although the citizen hung up, because the
// retry will look for what they wrote.
func withoutCaller(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}
