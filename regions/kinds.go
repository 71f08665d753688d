package regions

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/fedhealth/federation/regions/jsonrpc"

	"github.com/fedhealth/federation/regions/slotoffset"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/regions/soap"
)

// adapter is a region's MIS client as the registry holds it.
type adapter interface {
	contracts.MIS
	Close() error
}

// offsetReporter is an adapter that counts the slots it refused for their
// UTC offset (shown by "federation regions status").
type offsetReporter interface {
	SlotOffsetMismatches() slotoffset.Report
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
	contracts.RegionSOAP: func(cfg Config, logger *slog.Logger, o options) (adapter, error) {
		if o.ledger == nil {
			return nil, fmt.Errorf("a soap region needs the step ledger (regions.WithLedger): %w", contracts.ErrInvalid)
		}
		sc := cfg.SOAP
		sc.Region = cfg.region()
		return soap.New(sc, o.ledger, logger)
	},
	contracts.RegionJSONRPC: func(cfg Config, logger *slog.Logger, o options) (adapter, error) {
		if o.ledger == nil {
			return nil, fmt.Errorf("a jsonrpc region needs the step ledger (regions.WithLedger): %w", contracts.ErrInvalid)
		}
		jc := cfg.JSONRPC
		jc.Region = cfg.region()
		return jsonrpc.New(jc, o.ledger, logger) // the same ledger port as soap's
	},
	// A feed region only publishes slots: search and read answer from the
	// polled cache, booking goes through the operator queue (feedkind.go).
	contracts.RegionFeed: newFeedAdapter,
}

// KnownKind reports whether kind is a region kind the registry builds:
// the one list of kinds, for configuration keyed by kind (booking
// deadlines) as for the regions themselves.
func KnownKind(kind contracts.RegionKind) bool {
	_, ok := kinds[kind]
	return ok
}

func knownKinds() string {
	var names []string
	for k := range kinds {
		names = append(names, string(k))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
