package loadgen_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/loadgen"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// startSystem runs the whole system on loopback (embedded Kafka, SQLite in
// a temporary directory, the six default simulators, of every kind, with
// 2 ms latency) and returns the API's URL, the FHIR simulators' URLs by
// region (direct mode speaks only that contract) and every simulator.
func startSystem(t *testing.T) (string, map[string]string, map[string]*fleet.Simulator) {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	sims, err := fleet.StartSimulators(fleet.Regions[:fleet.DefaultCount], 7, 0, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.CloseAll(sims) })
	mis, byRegion := map[string]string{}, map[string]*fleet.Simulator{}
	for _, s := range sims {
		byRegion[s.Region.Code] = s
		if s.Kind() == contracts.RegionFHIR {
			mis[s.Region.Code] = s.URL
		}
		if err := s.SetFaults(missim.Faults{LatencyMS: 2}); err != nil {
			t.Fatal(err)
		}
	}
	sys, err := system.Start(context.Background(), system.Options{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Regions: fleet.RegistryConfigs(sims), DevIssuer: true,
		PseudonymKey: bytes.Repeat([]byte{1}, 32), SealKey: bytes.Repeat([]byte{2}, 32), Logger: logger,
		// The citizen guards are on, as in the demo: the load gives each
		// citizen slots that do not overlap (assignCitizens).
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Close() })
	return sys.URL, mis, byRegion
}

func TestLoadgenBooksEverySlotToAFinalStatus(t *testing.T) {
	target, mis, _ := startSystem(t)
	const n = 200
	cases := []struct {
		name string
		cfg  loadgen.Config
	}{
		{"saga mode follows every booking through the API to its final status, the feed region's confirmed by the operator bot",
			loadgen.Config{Target: target, Bookings: n, Concurrency: 8}},
		{"direct mode makes every hold and book pair at the MIS",
			loadgen.Config{Direct: true, MIS: mis, Bookings: n, Concurrency: 8}},
		{"open loop at a fixed rate books them all too",
			loadgen.Config{Target: target, Bookings: n, Concurrency: 32, Rate: 150, Regions: []string{"77", "25"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
			defer cancel()
			rep, err := loadgen.Run(ctx, c.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			assertAllConfirmed(t, rep, n)
			if !c.cfg.Direct && len(c.cfg.Regions) == 0 {
				for _, k := range []string{"fhir", "soap", "jsonrpc", "feed"} {
					if rep.Kinds[k].Completed == 0 {
						t.Errorf("no booking of kind %s in the report's kinds %+v", k, rep.Kinds)
					}
				}
			}
		})
	}
}

func assertAllConfirmed(t *testing.T, rep loadgen.Report, n int) {
	t.Helper()
	var buf bytes.Buffer
	rep.WriteText(&buf)
	t.Logf("\n%s", buf.String())
	if rep.Completed != n || rep.Outcomes[loadgen.OutcomeConfirmed] != n || len(rep.Errors) != 0 {
		t.Fatalf("completed %d, outcomes %v, errors %v; want all %d confirmed", rep.Completed, rep.Outcomes, rep.Errors, n)
	}
	perRegion, latencies := 0, 0
	for _, r := range rep.Regions {
		for _, k := range r.Outcomes {
			perRegion += k
		}
		latencies += r.Latency.Count
	}
	if perRegion != n || latencies != n || rep.Latency.Count != n {
		t.Fatalf("per-region outcomes add up to %d and latencies to %d (overall %d), want %d", perRegion, latencies, rep.Latency.Count, n)
	}
	perKind := 0
	for _, k := range rep.Kinds {
		perKind += k.Completed
	}
	if perKind != n {
		t.Fatalf("per-kind completions add up to %d, want %d: %+v", perKind, n, rep.Kinds)
	}
	if !(rep.Latency.P50 > 0 && rep.Latency.P50 <= rep.Latency.P99 && rep.Latency.P99 <= rep.Latency.Max) || rep.Throughput <= 0 {
		t.Fatalf("latency %+v, throughput %v", rep.Latency, rep.Throughput)
	}
}

func TestLoadgenInjectsFaultsReportsErrorsByKindAndRestores(t *testing.T) {
	_, mis, sims := startSystem(t)
	rep, err := loadgen.Run(context.Background(), loadgen.Config{
		Direct: true, MIS: mis, Regions: []string{"78", "25"}, Bookings: 40, Concurrency: 4,
		Faults: map[string]string{"25": `{"error_rate":1}`},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Regions["78"].Outcomes[loadgen.OutcomeConfirmed]; got != 20 {
		t.Errorf("healthy region confirmed %d, want 20", got)
	}
	if got := rep.Errors["$hold: http 500 exception"]; got != 20 || rep.Regions["25"].Outcomes[loadgen.OutcomeError] != 20 {
		t.Errorf("errors %v, region 25 %v; want 20 failed holds", rep.Errors, rep.Regions["25"].Outcomes)
	}
	if f := sims["25"].Faults(); f.ErrorRate != 0 || f.LatencyMS != 2 {
		t.Errorf("faults after the run %+v, want the previous ones back", f)
	}
}
