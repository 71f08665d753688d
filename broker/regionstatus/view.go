// Package regionstatus owns the status citizens are told for each region,
// whichever broker instance answers them. Each instance has its own breaker
// per region; View.Record (the registry's status hook) records every
// breaker transition in the shared database (this package's own table), and
// the latest recent transition of any instance is what citizens see.
// Without a recent record, the instance's own breaker speaks. It also keeps,
// for operators, each region's count of slots refused because their UTC
// offset was not the region's (SlotOffsets).
package regionstatus

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// Local is this instance's view: its breakers.
type Local interface {
	Status(code string) contracts.RegionStatus
}

// Config tunes the view.
type Config struct {
	// TTL: a transition older than this no longer speaks for the region (its
	// instance may be gone); default 1 minute. A breaker that stays open
	// records a transition every probe, so an outage stays fresh.
	TTL time.Duration
	// Refresh: how often the shared records are re-read; default 1s.
	Refresh time.Duration
	// Instance names this process in the records it writes.
	Instance string
	Now      func() time.Time
	Logger   *slog.Logger
}

// View records this instance's transitions and answers Status from every
// instance's, cached for Refresh. It is safe for concurrent use.
type View struct {
	cfg    Config
	local  Local
	shared *Store

	mu      sync.Mutex
	records map[string]Transition
	fetched time.Time
}

// New returns a view over the shared store. Call UseLocal with this
// instance's breakers before asking for a Status: the registry that owns
// the breakers is built with Record as its hook, so it comes second.
func New(shared *Store, cfg Config) *View {
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
	return &View{cfg: cfg, shared: shared}
}

// UseLocal sets this instance's breakers, which speak for a region no
// recent shared record covers.
func (v *View) UseLocal(local Local) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.local = local
}

// Record shares a breaker transition of this instance with the others; it
// is the region registry's status hook, called outside the breaker's lock.
// A record that cannot be written is logged, not returned: the breaker's
// own view still speaks for this instance.
func (v *View) Record(region string, to contracts.RegionStatus) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	t := Transition{Status: to, Instance: v.cfg.Instance, ChangedAt: v.cfg.Now()}
	if err := v.shared.Record(ctx, region, t); err != nil {
		v.cfg.Logger.Warn("region status not shared", "region", region, "status", to, "err", err)
	}
}

// Status is the region's status as citizens should see it.
func (v *View) Status(code string) contracts.RegionStatus {
	now := v.cfg.Now()
	rec, ok := v.current(now)[code]
	if ok && now.Sub(rec.ChangedAt) < v.cfg.TTL {
		return rec.Status
	}
	v.mu.Lock()
	local := v.local
	v.mu.Unlock()
	if local == nil {
		return contracts.RegionAvailable // no breaker yet: nothing known against the region
	}
	return local.Status(code)
}

func (v *View) current(now time.Time) map[string]Transition {
	v.mu.Lock()
	defer v.mu.Unlock()
	if now.Sub(v.fetched) < v.cfg.Refresh {
		return v.records
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	recs, err := v.shared.Latest(ctx)
	if err != nil {
		v.cfg.Logger.Warn("shared region statuses unavailable; using this instance's breakers", "err", err)
		v.fetched = now // do not hammer a struggling store
		return v.records
	}
	v.records, v.fetched = recs, now
	return recs
}
