// Command federation is the federation broker's one binary:
//
//	federation demo     everything in one process, with simulated regions
//	federation serve    the broker from a YAML config (production shape)
//	federation missim   one reference regional MIS simulator
//	federation test-idp a TEST-ONLY identity provider, for trials of serve
//	federation loadgen  measure throughput and latency through the API or the MIS
//	federation drill    fault drills that check the invariants
//	federation migrate  migrate the store's schema
//	federation dlq      inspect and replay dead letters
//	federation saga     inspect, retry or abandon a stuck saga
//	federation audit    read the audit trail
//	federation regions  what the instances recorded of each region
//	federation conformance  the vendor kit: check an MIS, write reports
//	federation seed     bulk-seed a store with history, for benchmarks
//
// Configuration is parsed here and only here; the packages below get typed
// configs.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/fedhealth/federation/cmd/federation/internal/drill"
	"github.com/fedhealth/federation/cmd/federation/internal/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

const usage = `federation: the federal booking broker.

Usage:
  federation demo   [--listen ADDR] [--data DIR] [--regions N]   run everything in one process
  federation serve  --config FILE                                run from a YAML config
  federation missim --region CODE --listen ADDR [--seed N]       run a reference MIS simulator
  federation test-idp [--listen ADDR] [--issuer URL]             TEST ONLY: an identity provider for trials of serve
  federation loadgen --target URL --bookings N --concurrency C   measure throughput and latency
                    [--direct --mis 77=URL,...]                  (--direct: straight to the MIS)
  federation drill [--short] NAME...|all                         fault drills; non-zero exit on a broken invariant
  federation migrate --config FILE                               migrate the store's schema
  federation dlq list|retry --config FILE ...                    inspect and replay dead letters
  federation saga show|retry|abandon --config FILE BOOKING_ID    inspect and mend a stuck saga
  federation audit --config FILE [--booking ID] [--since 24h]    read the audit trail
  federation clinic unmatched --config FILE                      clinic events parked for appointments no booking has
  federation reconcile --config FILE --region CODE [--dry-run]   compare a region's history with its MIS and repair it
  federation regions status --config FILE                        each region's status and slots refused for their offset
  federation conformance --kind KIND --mis-url URL [--report-dir DIR]  check an MIS against its kind's requirements
  federation analytics rebuild --config FILE                     empty the analysts' read model and re-read the events topic
  federation seed --bookings N --config FILE | --data DIR        bulk-seed finished bookings' history (benchmarks)
  federation version                                             the module version and VCS revision built
  federation help [COMMAND]                                      this text, or a command's flags

Run "federation COMMAND --help" for a command's flags.
`

// run runs the command args name. Help asked for is printed to stdout and
// returns nil or flag.ErrHelp; a mistake in the command line returns
// errUsage after printing the usage to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "missim":
		return runMissim(ctx, args[1:], stdout, stderr)
	case "test-idp":
		return runTestIDP(ctx, args[1:], stdout, stderr)
	case "loadgen":
		if helpAsked(args[1:]) {
			stderr = stdout
		}
		return loadgen.Main(ctx, args[1:], stdout, stderr)
	case "drill":
		if helpAsked(args[1:]) {
			stderr = stdout
		}
		return drill.Main(ctx, args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], stdout, stderr)
	case "dlq":
		return runDLQ(ctx, args[1:], stdout, stderr)
	case "saga":
		return runSaga(ctx, args[1:], stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], stdout, stderr)
	case "clinic":
		return runClinic(ctx, args[1:], stdout, stderr)
	case "reconcile":
		return runReconcile(ctx, args[1:], stdout, stderr)
	case "regions":
		return runRegions(ctx, args[1:], stdout, stderr)
	case "conformance":
		return runConformance(ctx, args[1:], stdout, stderr)
	case "analytics":
		return runAnalytics(ctx, args[1:], stdout, stderr)
	case "seed":
		return runSeed(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		bi, ok := debug.ReadBuildInfo()
		printVersion(stdout, bi, ok)
		return nil
	case "help", "-h", "--help":
		if len(args) > 1 && args[1] != "help" {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
