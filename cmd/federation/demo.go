package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "Usage: federation demo [flags]\n\nRuns the broker, an embedded Kafka-protocol broker, an embedded SQLite store\nand simulated regional MIS in one process. Flags:")
	listen := fs.String("listen", "127.0.0.1:8080", "address of the federal API")
	dataDir := fs.String("data", "", "directory for the store and the embedded Kafka broker (kept across restarts); default a temporary directory removed on exit")
	n := fs.Int("regions", 5, fmt.Sprintf("number of simulated regions (1-%d)", len(fleet.Regions)))
	latency := fs.Duration("mis-latency", 0, "latency every simulated MIS adds to each call (e.g. 2ms)")
	deadline := fs.Duration("deadline", 2*time.Minute, "how long a booking may stay pending before it fails")
	var logs logFlags
	logs.register(fs, "info", "auto")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *n < 1 || *n > len(fleet.Regions) {
		return fmt.Errorf("--regions must be 1..%d", len(fleet.Regions))
	}
	logger, err := newLogger(stderr, logs.level, logs.format)
	if err != nil {
		return err
	}
	started := time.Now()
	dir := *dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "federation-demo-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	keys, err := demoKeys(filepath.Join(dir, "demo-keys.json"))
	if err != nil {
		return err
	}
	sims, err := fleet.StartSimulators(fleet.Regions[:*n], 1, 0, logger)
	if err != nil {
		return err
	}
	defer fleet.CloseAll(sims)
	for _, s := range sims {
		if *latency == 0 {
			break // no faults: nothing to set (or log)
		}
		if err := s.MIS.SetFaults(missim.Faults{LatencyMS: int(latency.Milliseconds())}); err != nil {
			return err
		}
	}
	sys, err := system.Start(ctx, system.Options{
		Listen: *listen, DataDir: dir, Regions: fleet.RegistryConfigs(sims), DevIssuer: true,
		PseudonymKey: keys.Pseudonym, SealKey: keys.Seal, BookingDeadline: *deadline, Logger: logger,
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	printDemo(stdout, sys, sims, time.Since(started))
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping…")
	return nil
}

func printDemo(w io.Writer, sys *system.System, sims []*fleet.Simulator, took time.Duration) {
	fmt.Fprintf(w, "Federation broker demo ready in %s\n\n", took.Round(time.Millisecond))
	fmt.Fprintf(w, "  Federal API     %s/api/v1\n  Metrics         %s/metrics\n  Kafka (embedded) %v\n\n", sys.URL, sys.URL, sys.Brokers)
	fmt.Fprintln(w, "  Simulated regional MIS:")
	for _, s := range sims {
		fmt.Fprintf(w, "    %-3s %-28s %-18s %s   (admin: %s/admin/appointments)\n", s.Region.Code, s.Region.Name, s.Region.TimeZone, s.URL, s.URL)
	}
	u := sys.URL
	fmt.Fprintf(w, `
Try it:
  TOKEN=$(curl -s -X POST %[1]s/api/v1/dev/token -d '{"citizen_id":"ivan"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -s %[1]s/api/v1/regions
  curl -s -H "Authorization: Bearer $TOKEN" "%[1]s/api/v1/slots?region=77&specialty=therapist&limit=3"
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: $(uuidgen)" %[1]s/api/v1/bookings -d '{"slot_id":"77:SLOT_ID_FROM_SEARCH"}'
  curl -s -H "Authorization: Bearer $TOKEN" %[1]s/api/v1/bookings

Press Ctrl+C to stop.
`, u)
}
