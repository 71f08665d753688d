// Package regionstatus tells citizens one status per region whichever
// broker instance answers them. Each instance has its own breaker per
// region; every breaker transition is recorded in the shared store, and the
// latest recent transition of any instance is what citizens see. Without a
// recent record, the instance's own breaker speaks.
package regionstatus

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/store"
)

// Local is this instance's view: its breakers.
type Local interface {
	Status(code string) contracts.RegionStatus
}

// Shared is the store of every instance's transitions (store.DB).
type Shared interface {
	RegionStatuses(ctx context.Context) (map[string]store.RegionStatusRecord, error)
}

// Config tunes the view.
type Config struct {
	// TTL: a transition older than this no longer speaks for the region (its
	// instance may be gone); default 1 minute. A breaker that stays open
	// records a transition every probe, so an outage stays fresh.
	TTL time.Duration
	// Refresh: how often the shared records are re-read; default 1s.
	Refresh time.Duration
	Now     func() time.Time
	Logger  *slog.Logger
}

// View answers Status from the shared records, cached for Refresh.
type View struct {
	cfg    Config
	local  Local
	shared Shared

	mu      sync.Mutex
	records map[string]store.RegionStatusRecord
	fetched time.Time
}

// New returns a view over local and shared.
func New(local Local, shared Shared, cfg Config) *View {
	if cfg.TTL == 0 {
		cfg.TTL = time.Minute
	}
	if cfg.Refresh == 0 {
		cfg.Refresh = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &View{cfg: cfg, local: local, shared: shared}
}

// Status is the region's status as citizens should see it.
func (v *View) Status(code string) contracts.RegionStatus {
	now := v.cfg.Now()
	rec, ok := v.current(now)[code]
	if ok && now.Sub(rec.ChangedAt) < v.cfg.TTL {
		return contracts.RegionStatus(rec.Status)
	}
	return v.local.Status(code)
}

func (v *View) current(now time.Time) map[string]store.RegionStatusRecord {
	v.mu.Lock()
	defer v.mu.Unlock()
	if now.Sub(v.fetched) < v.cfg.Refresh {
		return v.records
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	recs, err := v.shared.RegionStatuses(ctx)
	if err != nil {
		v.cfg.Logger.Warn("shared region statuses unavailable; using this instance's breakers", "err", err)
		v.fetched = now // do not hammer a struggling store
		return v.records
	}
	v.records, v.fetched = recs, now
	return recs
}
