package main

import (
	"context"
	"errors"
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
	n := fs.Int("regions", fleet.DefaultCount, fmt.Sprintf("number of simulated regions (1-%d); the default %d hold every region kind: 77 jsonrpc, 16 soap, 27 feed (bookings wait in its operator queue), the others fhir", len(fleet.Regions), fleet.DefaultCount))
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
		if err := s.SetFaults(missim.Faults{LatencyMS: int(latency.Milliseconds())}); err != nil {
			return err
		}
	}
	sys, err := system.Start(ctx, system.Options{
		Listen: *listen, DataDir: dir, Regions: fleet.RegistryConfigs(sims), DevIssuer: true, WebPlainHTTP: plainHTTPDemo(*listen),
		DevIssuerKeyFile: filepath.Join(dir, "dev-issuer.key"), // with --data, tokens survive a restart
		PseudonymKey:     keys.Pseudonym, SealKey: keys.Seal, BookingDeadline: *deadline, Logger: logger,
		CallbackSecrets: fleet.CallbackSecrets(sims), // each fhir and soap simulator reports the clinic's changes
		// The live conformance probes every minute, so their results show
		// soon after start (serve's default is 10m).
		Probes: system.ProbeOptions{Interval: demoProbeInterval},
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	if err := fleet.PointCallbacks(sims, sys.CallbackURL); err != nil {
		return err
	}
	// Ready means every region's consumer group holds its partitions, not
	// only that the readers were started.
	assignStarted := time.Now()
	assignCtx, cancelAssign := context.WithTimeout(ctx, 30*time.Second)
	err = sys.WaitConsumersAssigned(assignCtx)
	cancelAssign()
	if err != nil {
		return fmt.Errorf("demo: saga consumers: %w", err)
	}
	took, assigned := time.Since(started), time.Since(assignStarted)
	slot, err := freeSlot(ctx, sys, sims[0].Region.Code)
	if err != nil {
		logger.Warn("no free slot found for the example booking", "region", sims[0].Region.Code, "err", err)
	}
	var feedSlot string
	if feed := firstFeed(sims); feed != "" {
		if feedSlot, err = freeSlot(ctx, sys, feed); err != nil {
			logger.Warn("no free slot found for the example operator booking", "region", feed, "err", err)
		}
	}
	printDemo(stdout, sys, sims, readiness{took: took, assigned: assigned}, slot, feedSlot)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping…")
	return nil
}

// firstFeed is the code of the first feed region among sims, "" when
// there is none.
func firstFeed(sims []*fleet.Simulator) string {
	for _, s := range sims {
		if s.Kind() == contracts.RegionFeed {
			return s.Region.Code
		}
	}
	return ""
}

// freeSlot is a free slot of region as the API names it, for the banner's
// booking example: the region's first free therapist slot (every simulated
// polyclinic has therapists). A feed region has slots once its publisher
// was first polled, so an unavailable region is asked again meanwhile.
func freeSlot(ctx context.Context, sys *system.System, region string) (string, error) {
	mis, err := sys.Registry.MIS(region)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	slots, err := mis.SearchSlots(ctx, contracts.SlotQuery{Specialty: demoSpecialty, Limit: 1})
	for errors.Is(err, contracts.ErrRegionUnavailable) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		slots, err = mis.SearchSlots(ctx, contracts.SlotQuery{Specialty: demoSpecialty, Limit: 1})
	}
	if err != nil {
		return "", err
	}
	if len(slots) == 0 {
		return "", fmt.Errorf("region %s has no free %s slot", region, demoSpecialty)
	}
	return region + ":" + slots[0].ID, nil
}

const demoSpecialty = missim.SpecialtyTherapy

// demoProbeInterval is how often the demo probes each region.
const demoProbeInterval = time.Minute

// readiness is what the banner says about the start: took from the
// start to ready, assigned the wait for every region's consumer group to
// hold its partitions once the system had started.
type readiness struct {
	took, assigned time.Duration
}

// printDemo prints where everything is and a "Try it" block that pastes
// into any POSIX shell with curl and sed (no uuidgen, no jq): it books
// slot, or shows where to find one when slot is "". With a feed region,
// the block goes on as that region's operator: a booking of feedSlot,
// the operator's token, the queue, the confirmation, the booking seen by
// its citizen.
func printDemo(w io.Writer, sys *system.System, sims []*fleet.Simulator, ready readiness, slot, feedSlot string) {
	fmt.Fprintf(w, "Federation broker demo ready in %s (the consumer groups of all %d regions held their partitions %s after the broker was up)\n\n",
		ready.took.Round(time.Millisecond), len(sims), ready.assigned.Round(time.Millisecond))
	fmt.Fprintf(w, "  Pages             %s/ (citizens; operators at /operator)\n  Federal API       %s/api/v1\n  Metrics           %s/metrics\n  Kafka (embedded)  %s\n\n",
		sys.URL, sys.URL, sys.InternalURL, strings.Join(sys.KafkaAddrs, ","))
	fmt.Fprintln(w, "  Simulated regional MIS (code, kind, name, zone, URL):")
	for _, s := range sims {
		admin := fmt.Sprintf("(admin: %s/admin/appointments)", s.URL)
		if !s.KeepsAppointments() {
			admin = fmt.Sprintf("(slot publisher, no appointments: bookings wait in the operator queue; admin: %s/admin/faults)", s.URL)
		}
		fmt.Fprintf(w, "    %-3s %-8s %-28s %-18s %s   %s\n", s.Region.Code, s.Kind(), s.Region.Name, s.Region.TimeZone, s.URL, admin)
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
%[6]s
Press Ctrl+C to stop.
`, sys.URL, region, demoSpecialty, slot, note, operatorTryIt(firstFeed(sims), feedSlot))
}

// operatorTryIt is the Try-it block's operator part for feed region
// (nothing without one): the citizen books feedSlot, which waits in the
// region's queue; the operator's token, the queue, the confirmation; the
// citizen's booking, now confirmed.
func operatorTryIt(region, feedSlot string) string {
	if region == "" {
		return ""
	}
	note := ""
	if feedSlot == "" {
		feedSlot, note = region+":SLOT_ID_FROM_SEARCH", "  (take a slot id from a search of region "+region+")"
	}
	return fmt.Sprintf(`
  # Region %[1]s only publishes slots: its bookings wait for the clinic's operator.
  BOOKING=$(curl -s -X POST -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: try-feed-$(date +%%s)" $API/bookings -H 'Content-Type: application/json' -d '{"slot_id":"%[2]s"}' | sed 's/^{"id":"\([^"]*\)".*/\1/')%[3]s
  OPTOKEN=$(curl -s -X POST -H 'Content-Type: application/json' $API/dev/token -d '{"operator_id":"op1","region":"%[1]s"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -s -H "Authorization: Bearer $OPTOKEN" $API/operator/queue
  curl -s -X POST -H "Authorization: Bearer $OPTOKEN" -H "Idempotency-Key: confirm-$BOOKING" $API/operator/bookings/$BOOKING/confirm -H 'Content-Type: application/json' -d '{"mis_appointment_id":"KHV-1001"}'
  curl -s -H "Authorization: Bearer $TOKEN" $API/bookings/$BOOKING
`, region, feedSlot, note)
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

// plainHTTPDemo reports whether the demo's pages may set their session
// cookie without Secure: the demo serves plain HTTP, over which a browser
// never sends a Secure cookie back, and that is safe on loopback only.
// Elsewhere the cookie stays Secure and the pages need a TLS proxy.
func plainHTTPDemo(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
