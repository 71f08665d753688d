package regions

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/fhir"
)

// adapter is a region's MIS client as the registry holds it: the port, and
// what operators are shown of it.
type adapter interface {
	contracts.MIS
	Close() error
	SlotOffsetMismatches() fhir.SlotOffsetReport
}

// kinds builds each kind's adapter from the region's config. A kind is
// listed here once its adapter keeps every promise of the port
// (regions/porttest) against its simulator.
var kinds = map[contracts.RegionKind]func(cfg Config, logger *slog.Logger, o options) (adapter, error){
	contracts.RegionFHIR: func(cfg Config, logger *slog.Logger, o options) (adapter, error) {
		mc := cfg.MIS
		mc.Region, mc.MeterProvider, mc.TracerProvider = cfg.region(), o.meters, o.tracers
		return fhir.New(mc, logger)
	},
}

func knownKinds() string {
	var names []string
	for k := range kinds {
		names = append(names, string(k))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
