// Package fleet runs a fleet of reference MIS simulators on loopback: the
// table of sample regions (distinct time zones across the country), one
// simulator per region, and the region registry entries that point at them.
// The demo, the fault drills and the component tests all start their
// regions here.
package fleet

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/regions/missim"
)

// Region is a sample federal subject.
type Region struct{ Code, Name, TimeZone string }

// Regions spans the country's time zones; the first five are the default.
var Regions = []Region{
	{"77", "Moscow", "Europe/Moscow"},
	{"78", "Saint Petersburg", "Europe/Moscow"},
	{"16", "Republic of Tatarstan", "Europe/Moscow"},
	{"54", "Novosibirsk Oblast", "Asia/Novosibirsk"},
	{"25", "Primorsky Krai", "Asia/Vladivostok"},
	{"66", "Sverdlovsk Oblast", "Asia/Yekaterinburg"},
	{"24", "Krasnoyarsk Krai", "Asia/Krasnoyarsk"},
	{"39", "Kaliningrad Oblast", "Europe/Kaliningrad"},
	{"14", "Republic of Sakha (Yakutia)", "Asia/Yakutsk"},
	{"41", "Kamchatka Krai", "Asia/Kamchatka"},
}

// Simulator is one running reference MIS.
type Simulator struct {
	Region Region
	URL    string
	MIS    *missim.Server
	server *http.Server
}

// Close stops the simulator.
func (s *Simulator) Close() error { return s.server.Close() }

// StartSimulators starts one simulator per region on a free loopback port.
// They have no admin token: their admin endpoints answer callers on this
// host's loopback only (missim.Config.AdminToken), which is what the demo's
// loadgen and the tests use; the drills set faults in process.
func StartSimulators(regs []Region, seed int64, holdTTL time.Duration, logger *slog.Logger) ([]*Simulator, error) {
	var sims []*Simulator
	for i, r := range regs {
		sim, err := StartSimulator(missim.Config{Region: r.Code, TimeZone: r.TimeZone, Seed: seed + int64(i), HoldTTL: holdTTL}, "127.0.0.1:0", logger)
		if err != nil {
			return nil, errors.Join(err, CloseAll(sims))
		}
		sim.Region = r
		sims = append(sims, sim)
	}
	return sims, nil
}

// StartSimulator serves one simulator on listen.
func StartSimulator(cfg missim.Config, listen string, logger *slog.Logger) (*Simulator, error) {
	mis, err := missim.New(cfg, logger)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("simulator %s: %w", cfg.Region, err)
	}
	srv := &http.Server{Handler: mis.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &Simulator{Region: Region{Code: cfg.Region, TimeZone: cfg.TimeZone}, URL: "http://" + ln.Addr().String(), MIS: mis, server: srv}, nil
}

// CloseAll stops every simulator.
func CloseAll(sims []*Simulator) error {
	var errs []error
	for _, s := range sims {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// RegistryConfigs points one registry entry at each simulator, with
// settings suited to a laptop: short call timeouts and a breaker that
// probes again after two seconds.
func RegistryConfigs(sims []*Simulator) []regions.Config {
	out := make([]regions.Config, len(sims))
	for i, s := range sims {
		out[i] = regions.Config{
			Code: s.Region.Code, Name: s.Region.Name, TimeZone: s.Region.TimeZone,
			MIS: fhir.Config{BaseURL: s.URL, CallTimeout: 2 * time.Second,
				Retry: fhir.RetryConfig{MaxAttempts: 2, WaitMin: 20 * time.Millisecond, WaitMax: 200 * time.Millisecond}},
			Breaker: breaker.Config{ConsecutiveFailures: 5, OpenTimeout: 2 * time.Second, MaxConcurrent: 64},
		}
	}
	return out
}
