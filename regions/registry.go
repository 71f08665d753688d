package regions

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/fedhealth/federation/regions/slotoffset"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
)

// Registry knows every configured region and the guarded MIS that serves
// it. It is immutable after NewRegistry and safe for concurrent use.
type Registry struct {
	byCode map[string]*region
	sorted []contracts.Region
}

// region is one configured region with its client and breaker.
type region struct {
	info   contracts.Region
	loc    *time.Location
	client adapter
	mis    *breaker.MIS
}

// NewRegistry validates cfgs and builds a contract client behind a breaker
// for each region. A nil logger discards.
func NewRegistry(cfgs []Config, logger *slog.Logger, opts ...Option) (*Registry, error) {
	if err := validateAll(cfgs); err != nil {
		return nil, fmt.Errorf("region registry: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	r := &Registry{byCode: make(map[string]*region, len(cfgs))}
	for _, cfg := range cfgs {
		reg, err := build(cfg, logger, o)
		if err != nil {
			_ = r.Close()
			return nil, fmt.Errorf("region registry: region %s: %w", cfg.Code, err)
		}
		r.byCode[cfg.Code] = reg
		r.sorted = append(r.sorted, reg.info)
	}
	sort.Slice(r.sorted, func(i, j int) bool { return r.sorted[i].Code < r.sorted[j].Code })
	return r, nil
}

func build(cfg Config, logger *slog.Logger, o options) (*region, error) {
	loc, _ := time.LoadLocation(cfg.TimeZone) // validated
	client, err := kinds[cfg.kind()](cfg, logger, o)
	if err != nil {
		return nil, err
	}
	bc := cfg.Breaker
	bc.Region, bc.MeterProvider, bc.OnStateChange = cfg.Code, o.meters, o.statusHook
	if o.onCall != nil {
		code := cfg.Code
		bc.OnCall = func(op string, d time.Duration, out breaker.Outcome) { o.onCall(code, op, d, out) }
	}
	guarded, err := breaker.New(bc, client, logger)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	return &region{info: cfg.region(), loc: loc, client: client, mis: guarded}, nil
}

// MIS returns the guarded MIS of the region, or an error wrapping
// contracts.ErrNotFound for a region that is not configured.
func (r *Registry) MIS(code string) (contracts.MIS, error) {
	reg, ok := r.byCode[code]
	if !ok {
		return nil, fmt.Errorf("region %q: %w", code, contracts.ErrNotFound)
	}
	return reg.mis, nil
}

// Regions lists the configured regions sorted by code. The slice is a copy.
func (r *Registry) Regions() []contracts.Region {
	return append([]contracts.Region(nil), r.sorted...)
}

// Status tells citizens what to expect of the region's MIS; an unknown
// region is unavailable.
func (r *Registry) Status(code string) contracts.RegionStatus {
	reg, ok := r.byCode[code]
	if !ok {
		return contracts.RegionUnavailable
	}
	return reg.mis.Status()
}

// Location returns the region's time zone, or nil for an unknown region
// (check with MIS first when the code comes from outside).
func (r *Registry) Location(code string) *time.Location {
	if reg, ok := r.byCode[code]; ok {
		return reg.loc
	}
	return nil
}

// Close releases every region's idle connections and metric callbacks.
func (r *Registry) Close() error {
	var errs []error
	for _, reg := range r.byCode {
		errs = append(errs, reg.mis.Close(), reg.client.Close())
	}
	return errors.Join(errs...)
}

// SlotOffsetMismatches returns how many slots the region's MIS gave with a
// UTC offset that is not the region's (refused by its client), with the
// latest; zero for an unknown region.
func (r *Registry) SlotOffsetMismatches(code string) slotoffset.Report {
	if reg, ok := r.byCode[code]; ok {
		if rep, ok := reg.client.(offsetReporter); ok {
			return rep.SlotOffsetMismatches()
		}
	}
	return slotoffset.Report{}
}
