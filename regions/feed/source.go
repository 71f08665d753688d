package feed

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
	_ "time/tzdata" // regions' zones must load on hosts without a zoneinfo database

	"github.com/fedhealth/federation/regions/slotoffset"

	"github.com/fedhealth/federation/regions/feed/wire"
)

// Source is the broker's copy of one region's slot feed. It polls the
// publisher (Run, or Sync once), keeps the data set of the last
// successful sync, and answers slot searches from it. It is safe for
// concurrent use: searches read an immutable snapshot, and syncs run one
// at a time and swap the snapshot in whole.
type Source struct {
	cfg      Config
	loc      *time.Location
	manifest *url.URL
	home     origin
	http     *http.Client
	log      *slog.Logger
	tel      telemetry
	offsets  slotoffset.Log

	// syncMu serialises syncs; it guards manifestV and files, which only
	// a successful sync replaces, so a 304 never vouches for data a failed
	// sync left half-read.
	syncMu    sync.Mutex
	manifestV validators
	files     map[string]*fileData // by file URL

	mu    sync.RWMutex
	snap  *snapshot // nil until the first successful sync
	state syncState
}

// syncState is what operators see of the polling.
type syncState struct {
	lastSync, lastAttempt time.Time
	lastOutcome, lastErr  string
	refused               int64
}

// New validates cfg and returns a source with no data: its availability
// is unknown until the first successful sync. A nil logger discards.
func New(cfg Config, logger *slog.Logger) (*Source, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, _ := time.LoadLocation(cfg.Region.TimeZone) // validated
	base, _ := parseBaseURL(cfg.BaseURL)             // validated
	manifest := base.JoinPath(wire.ManifestPath)
	s := &Source{
		cfg: cfg, loc: loc, manifest: manifest, home: originOf(base),
		log:   logger.With("region", cfg.Region.Code, "feed", shown(manifest)),
		files: map[string]*fileData{},
	}
	s.http = newHTTPClient(cfg.Transport, s.home)
	tel, err := newTelemetry(s, cfg.MeterProvider)
	if err != nil {
		return nil, fmt.Errorf("feed source telemetry: %w", err)
	}
	s.tel = tel
	return s, nil
}

// Close stops reporting the source's gauges. It does not stop Run, whose
// context does that.
func (s *Source) Close() error {
	if s.tel.reg == nil {
		return nil
	}
	return s.tel.reg.Unregister()
}

// Run syncs at once and then every PollInterval until ctx ends, when it
// returns nil. A failed sync is logged and counted; the next tick is its
// retry (the data set in force stays meanwhile).
func (s *Source) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("slot feed sync failed; keeping the last good data", "err", err,
				"last_sync", s.Status().LastSync, "availability", s.Availability())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
