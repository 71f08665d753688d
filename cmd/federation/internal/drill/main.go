package drill

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fedhealth/federation/sagas/reconcile"
)

// Main runs "federation drill" with its command-line arguments (without
// the command name), printing one line per drill to stdout. It returns an
// error, so the command exits non-zero, when any drill broke an invariant.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	results, err := Run(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	var failed []string
	for _, r := range results {
		if r.Failed() {
			failed = append(failed, r.Drill)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("drill: invariants broken in %s", strings.Join(failed, ", "))
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("drill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	var brokers string
	fs.BoolVar(&cfg.Short, "short", false, "short drills (about half a minute each), as CI runs them")
	fs.IntVar(&cfg.Bookings, "bookings", 0, "most bookings per drill; 0: as many as --rate allows")
	fs.Float64Var(&cfg.Rate, "rate", 5, "bookings per second offered to each region")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of fault timing, faulted region and slot choice")
	fs.StringVar(&cfg.Binary, "binary", "", "federation executable to run as the broker; default: go build ./cmd/federation")
	fs.StringVar(&brokers, "brokers", "", "comma-separated Kafka brokers for the broker; default: its embedded Kafka")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL URL for the broker's store; default: SQLite")
	fs.BoolVar(&cfg.KeepDir, "keep", false, "keep each drill's directory (config, data, broker log)")
	fs.StringVar(&cfg.KafkaDir, "kafka-dir", "", "kafka-kill: the state directory of deploy/local/kafka-start.sh --brokers 3")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: federation drill [flags] NAME...\n\nDrills: %s, all; with a real cluster also kafka-kill and instance-kill. Each prints lost=0 double=0 orphan=0 mismatch=0,\nin total and per region kind, and the command exits non-zero when a count is not zero. Flags:\n", strings.Join(Names, ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.Drills = fs.Args()
	if brokers != "" {
		cfg.Brokers = strings.Split(brokers, ",")
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		fs.Usage()
		return cfg, err
	}
	return cfg, nil
}

// Run runs the configured drills one after another, printing each result
// line to out as it ends. The error is for a drill that could not run at
// all (no binary, a broker that never started); broken invariants are in
// the results.
func Run(ctx context.Context, cfg Config, out io.Writer) ([]Result, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	binary := cfg.Binary
	if binary == "" {
		dir, err := os.MkdirTemp("", "federation-drill-bin-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		if binary, err = buildBinary(ctx, dir); err != nil {
			return nil, err
		}
	}
	fmt.Fprintln(out, "# isolation: healthy regions' p99 during the fault vs before it; machines are noisy, so a drill fails only when it grew by more than 20% and 50ms, judged on the p90 when under a thousand bookings a side")
	var results []Result
	for _, name := range cfg.Drills {
		r, err := runOne(ctx, cfg, binary, name)
		if err != nil {
			return results, fmt.Errorf("drill %s: %w", name, err)
		}
		fmt.Fprintln(out, r)
		for _, line := range r.KindLines() {
			fmt.Fprintln(out, line)
		}
		results = append(results, r)
	}
	return results, nil
}

func runOne(ctx context.Context, cfg Config, binary, name string) (r Result, err error) {
	start := time.Now()
	r.Drill = name
	e, err := setup(ctx, cfg, binary, name)
	defer func() {
		if e == nil {
			return
		}
		keep := cfg.KeepDir || err != nil || r.Failed()
		// CI keeps no directory: the broker's last words (and, when
		// something in it hung, where) go with the error.
		var last string
		if err != nil && e.broker != nil {
			last = e.broker.logTail(60)
			if waits := e.broker.longWaits(200); waits != "" {
				last += "\n" + waits
			}
		}
		e.close(keep)
		if last != "" {
			err = fmt.Errorf("%w\n%s", err, last)
		}
		if keep {
			r.extra("dir", e.dir)
			e.writeBookings() // for a look at each booking's latency
		}
	}()
	if err != nil {
		return r, err
	}
	if err := drills[name](ctx, e, &r); err != nil {
		return r, err
	}
	report, keysErr := e.settle(ctx)
	r.Counts = report.Counts
	r.Kinds = e.perKind(report)
	r.Failures = append(r.Failures, firstDifferences(report.Differences, 3)...)
	if !e.feedCounts.OK() {
		r.Failures = append(r.Failures, e.feedNotes...)
	}
	if keysErr != nil && !report.OK() {
		r.Failures = append(r.Failures, keysErr.Error())
	}
	r.Accepted, r.Refused = len(e.load.bookings()), e.load.refused
	if n := len(e.load.errs); n > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d requests never answered, first: %v", n, e.load.errs[0]))
	}
	if r.Accepted == 0 {
		r.Failures = append(r.Failures, "no booking was accepted")
	}
	r.Took = time.Since(start)
	return r, nil
}

// firstDifferences says the first n differences, and how many more there
// are, so a failed drill's report points at the bookings to look at.
func firstDifferences(ds []reconcile.Difference, n int) []string {
	var out []string
	for i, d := range ds {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more differences", len(ds)-n))
			break
		}
		out = append(out, d.String())
	}
	return out
}
