// Package fleet runs a fleet of reference MIS simulators on loopback: the
// table of sample regions (distinct time zones across the country, each
// of a region kind), one simulator per region of that kind's style
// (missim, soapsim, rpcsim, and feedsim for the regions whose clinics only
// publish slots), and the region registry entries that point at them. The demo, the fault drills, the bench and the component tests all
// start their regions here, and drive every simulator through the one
// admin surface (missim.Admin) whatever its kind.
package fleet

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/feedsim"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/subjects"
)

// Region is a sample federal subject and the style its MIS speaks.
type Region struct {
	Code, Name, TimeZone string
	// Kind is the region's kind; "" is fhir.
	Kind contracts.RegionKind
}

// kind is r's kind, fhir when none is set.
func (r Region) kind() contracts.RegionKind {
	if r.Kind == "" {
		return contracts.RegionFHIR
	}
	return r.Kind
}

// DefaultCount is how many of Regions the demo and the drills run: the
// first six, which hold every kind.
const DefaultCount = 6

// Regions spans the country: every federal subject (regions/subjects),
// the first DefaultCount holding every kind this repository's registry
// serves: Moscow speaks the city JSON-RPC style, Tatarstan the federal
// e-registry SOAP style, Khabarovsk only publishes slots (kind feed:
// bookings wait in the region's operator queue), the other three speak the
// federal FHIR contract. The first five are the kinds that book at an MIS.
// Then five more FHIR regions across the time zones, and the remaining
// subjects in code order, FHIR too, for runs at the scale of the country.
var Regions = withEverySubject([]Region{
	{"77", "Moscow", "Europe/Moscow", contracts.RegionJSONRPC},
	{"78", "Saint Petersburg", "Europe/Moscow", contracts.RegionFHIR},
	{"16", "Republic of Tatarstan", "Europe/Moscow", contracts.RegionSOAP},
	{"54", "Novosibirsk Oblast", "Asia/Novosibirsk", contracts.RegionFHIR},
	{"25", "Primorsky Krai", "Asia/Vladivostok", contracts.RegionFHIR},
	{"27", "Khabarovsk Krai", "Asia/Vladivostok", contracts.RegionFeed},
	{"66", "Sverdlovsk Oblast", "Asia/Yekaterinburg", contracts.RegionFHIR},
	{"24", "Krasnoyarsk Krai", "Asia/Krasnoyarsk", contracts.RegionFHIR},
	{"39", "Kaliningrad Oblast", "Europe/Kaliningrad", contracts.RegionFHIR},
	{"14", "Republic of Sakha (Yakutia)", "Asia/Yakutsk", contracts.RegionFHIR},
	{"41", "Kamchatka Krai", "Asia/Kamchatka", contracts.RegionFHIR},
})

// withEverySubject appends to first every federal subject it lacks, as a
// FHIR region.
func withEverySubject(first []Region) []Region {
	out := slices.Clone(first)
	for _, s := range subjects.All {
		if !slices.ContainsFunc(first, func(r Region) bool { return r.Code == s.Code }) {
			out = append(out, Region{s.Code, s.Name, s.TimeZone, contracts.RegionFHIR})
		}
	}
	return out
}

// AllFHIR returns a copy of regs with every region of kind fhir, for
// tests that need the FHIR simulator's own features (holds that lapse,
// Idempotency-Keys in the admin view, attachment look-ups) everywhere.
func AllFHIR(regs []Region) []Region {
	out := make([]Region, len(regs))
	for i, r := range regs {
		r.Kind = contracts.RegionFHIR
		out[i] = r
	}
	return out
}

// Kinds lists the kinds of regs in the order they first appear.
func Kinds(regs []Region) []contracts.RegionKind {
	var out []contracts.RegionKind
	seen := map[contracts.RegionKind]bool{}
	for _, r := range regs {
		if k := r.kind(); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// Simulator is one running simulated MIS of its region's kind. It is the
// admin surface of that simulator (missim.Admin: faults, appointments in
// missim's admin view), whatever the kind; the field of its kind holds
// the simulator itself for what only that style has. A feed simulator is
// a slot publisher: it holds no appointments (KeepsAppointments is false,
// Appointments is empty; the region's bookings are the broker's operator
// queue), takes down, latency and error rates, and refuses commit faults
// (ErrNoCommitAtPublisher).
type Simulator struct {
	missim.Admin
	Region Region
	// URL is the simulator's base URL; the SOAP and JSON-RPC styles are
	// served at URL + "/".
	URL string
	// MIS is the FHIR simulator of a fhir region, nil otherwise.
	MIS *missim.Server
	// SOAP is the simulator of a soap region, nil otherwise.
	SOAP *soapsim.Server
	// JSONRPC is the simulator of a jsonrpc region, nil otherwise.
	JSONRPC *rpcsim.Server
	// Feed is the slot publisher of a feed region, nil otherwise; its
	// base URL (the manifest's) is URL.
	Feed   *feedsim.Server
	server *http.Server
	// callbackSecret signs the simulator's callbacks (callbacks.go).
	callbackSecret string
}

// Kind is the simulator's region kind.
func (s *Simulator) Kind() contracts.RegionKind { return s.Region.kind() }

// KeepsAppointments reports whether the simulator books appointments
// (every kind but feed), so that its admin view is the MIS's truth to
// compare bookings with.
func (s *Simulator) KeepsAppointments() bool { return s.Kind() != contracts.RegionFeed }

// Close stops the simulator.
func (s *Simulator) Close() error { return s.server.Close() }

// StartSimulators starts one simulator per region, of the region's kind,
// on a free loopback port; holdTTL is the FHIR simulators' hold lifetime
// (the other styles have no holds). They have no admin token: their admin
// endpoints answer callers on this host's loopback only
// (missim.Config.AdminToken), which is what the demo's loadgen and the
// tests use; the drills set faults in process.
func StartSimulators(regs []Region, seed int64, holdTTL time.Duration, logger *slog.Logger) ([]*Simulator, error) {
	return StartSimulatorsFrom(regs, missim.Config{Seed: seed, HoldTTL: holdTTL}, logger)
}

// StartSimulatorsFrom is StartSimulators on base: each region's simulator
// gets base with the region's code and zone, and base.Seed plus the
// region's place in regs.
func StartSimulatorsFrom(regs []Region, base missim.Config, logger *slog.Logger) ([]*Simulator, error) {
	var sims []*Simulator
	for i, r := range regs {
		cfg := base
		cfg.Region, cfg.TimeZone, cfg.Seed = r.Code, r.TimeZone, base.Seed+int64(i)
		sim, err := Start(r, cfg, "127.0.0.1:0", logger)
		if err != nil {
			return nil, errors.Join(err, CloseAll(sims))
		}
		sims = append(sims, sim)
	}
	return sims, nil
}

// StartSimulator serves one FHIR simulator on listen.
func StartSimulator(cfg missim.Config, listen string, logger *slog.Logger) (*Simulator, error) {
	return Start(Region{Code: cfg.Region, TimeZone: cfg.TimeZone, Kind: contracts.RegionFHIR}, cfg, listen, logger)
}

// Start serves one simulator of r's kind, configured by cfg (every
// style shares missim.Config), on listen.
func Start(r Region, cfg missim.Config, listen string, logger *slog.Logger) (*Simulator, error) {
	sim := &Simulator{Region: r}
	var handler http.Handler
	switch r.kind() {
	case contracts.RegionFHIR:
		mis, err := missim.New(cfg, logger)
		if err != nil {
			return nil, err
		}
		sim.Admin, sim.MIS, handler = mis, mis, mis.Handler()
	case contracts.RegionSOAP:
		mis, err := soapsim.New(cfg, logger)
		if err != nil {
			return nil, err
		}
		sim.Admin, sim.SOAP, handler = mis, mis, mis.Handler()
	case contracts.RegionJSONRPC:
		mis, err := rpcsim.New(cfg, logger)
		if err != nil {
			return nil, err
		}
		sim.Admin, sim.JSONRPC, handler = mis, mis, mis.Handler()
	case contracts.RegionFeed:
		// The publisher's own settings beyond the region, seed and admin
		// token keep feedsim's defaults: a week of slots at two clinics.
		pub, err := feedsim.New(feedsim.Config{Region: cfg.Region, TimeZone: cfg.TimeZone, Seed: cfg.Seed, Now: cfg.Now,
			AdminToken: cfg.AdminToken, Quirks: cfg.Quirks, SlotPrefix: cfg.FeedSlotPrefix}, logger)
		if err != nil {
			return nil, err
		}
		sim.Admin, sim.Feed, handler = feedAdmin{pub}, pub, pub.Handler()
	default:
		return nil, fmt.Errorf("simulator %s: the fleet has no simulator of kind %q", r.Code, r.Kind)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("simulator %s: %w", cfg.Region, err)
	}
	sim.server = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	sim.URL = "http://" + ln.Addr().String()
	go func() { _ = sim.server.Serve(ln) }()
	return sim, nil
}

// CloseAll stops every simulator.
func CloseAll(sims []*Simulator) error {
	var errs []error
	for _, s := range sims {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
