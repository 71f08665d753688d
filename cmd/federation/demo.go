package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
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
	warnIfExposed(stderr, logger, *listen, "the demo's development identity provider signs a token for ANY citizen id")
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
		DevIssuerKeyFile: filepath.Join(dir, "dev-issuer.key"), // with --data, tokens survive a restart
		PseudonymKey:     keys.Pseudonym, SealKey: keys.Seal, BookingDeadline: *deadline, Logger: logger,
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	took := time.Since(started)
	slot, err := freeSlot(ctx, sys, sims[0].Region.Code)
	if err != nil {
		logger.Warn("no free slot found for the example booking", "region", sims[0].Region.Code, "err", err)
	}
	printDemo(stdout, sys, sims, took, slot)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping…")
	return nil
}

// freeSlot is a free slot of region as the API names it, for the banner's
// booking example: the region's first free therapist slot (every simulated
// polyclinic has therapists).
func freeSlot(ctx context.Context, sys *system.System, region string) (string, error) {
	mis, err := sys.Registry.MIS(region)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	slots, err := mis.SearchSlots(ctx, contracts.SlotQuery{Specialty: demoSpecialty, Limit: 1})
	if err != nil {
		return "", err
	}
	if len(slots) == 0 {
		return "", fmt.Errorf("region %s has no free %s slot", region, demoSpecialty)
	}
	return region + ":" + slots[0].ID, nil
}

const demoSpecialty = "therapist"

// printDemo prints where everything is and a "Try it" block that pastes
// into any POSIX shell with curl and sed (no uuidgen, no jq): it books
// slot, or shows where to find one when slot is "".
func printDemo(w io.Writer, sys *system.System, sims []*fleet.Simulator, took time.Duration, slot string) {
	fmt.Fprintf(w, "Federation broker demo ready in %s\n\n", took.Round(time.Millisecond))
	fmt.Fprintf(w, "  Federal API       %s/api/v1\n  Metrics           %s/metrics\n  Kafka (embedded)  %s\n\n",
		sys.URL, sys.InternalURL, strings.Join(sys.KafkaAddrs, ","))
	fmt.Fprintln(w, "  Simulated regional MIS:")
	for _, s := range sims {
		fmt.Fprintf(w, "    %-3s %-28s %-18s %s   (admin: %s/admin/appointments)\n", s.Region.Code, s.Region.Name, s.Region.TimeZone, s.URL, s.URL)
	}
	region := sims[0].Region.Code
	note := ""
	if slot == "" {
		slot, note = region+":SLOT_ID_FROM_SEARCH", "  (take a slot id from the search above)"
	}
	fmt.Fprintf(w, `
Try it (a POSIX shell with curl):
  API=%[1]s/api/v1
  TOKEN=$(curl -s -X POST -H 'Content-Type: application/json' $API/dev/token -d '{"citizen_id":"ivan"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -s $API/regions
  curl -s -H "Authorization: Bearer $TOKEN" "$API/slots?region=%[2]s&specialty=%[3]s&limit=3"
  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: try-$(date +%%s)" $API/bookings -H 'Content-Type: application/json' -d '{"slot_id":"%[4]s"}'%[5]s
  curl -s -H "Authorization: Bearer $TOKEN" $API/bookings

Press Ctrl+C to stop.
`, sys.URL, region, demoSpecialty, slot, note)
}

// warnIfExposed warns, on stderr and in the log, when a test-only server
// (the demo, the test identity provider) listens on more than loopback:
// why names what anyone who can reach it can do.
func warnIfExposed(stderr io.Writer, logger *slog.Logger, listen, why string) {
	host, _, err := net.SplitHostPort(listen)
	if err == nil && isLoopbackHost(host) {
		return
	}
	fmt.Fprintf(stderr, "\n!!! WARNING: listening on %s, reachable beyond this machine: %s.\n!!! This is for trials on loopback; never expose it to a network you do not control.\n\n", listen, why)
	logger.Warn("test-only server listening beyond loopback", "listen", listen, "risk", why)
}
