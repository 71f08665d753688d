package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/reconcile"
)

const reconcileUsage = `Usage: federation reconcile --config FILE --region CODE [--since DATE] [--dry-run]
       federation reconcile --config FILE --status

Compares the broker's history of one region with what the region's MIS
holds, booking by booking (docs/history.md, "Reconciliation"), and repairs
each difference it can with the clinic event it implies (the timeline names
reconciliation as its source): the running broker applies them. Prints
each difference as a JSON line (kind, booking id, region, MIS appointment
id, both statuses; never a patient identifier), then a summary line. One
pass at a time runs per region, whether serve's or this command's.
--status prints every region's last pass instead. Flags:`

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reconcile", reconcileUsage)
	path := fs.String("config", "", "the broker's YAML config (the store and the regions are taken from it)")
	region := fs.String("region", "", "the region's code")
	since := fs.String("since", "", "compare bookings whose slot ends on or after this date (YYYY-MM-DD, or RFC 3339); default the config's reconcile.lookback ago")
	dryRun := fs.Bool("dry-run", false, "report the differences, repair none")
	status := fs.Bool("status", false, "print every region's last pass")
	var logs logFlags
	logs.register(fs, "warn", "")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *path == "" || (*region == "") == !*status {
		fs.Usage()
		return fmt.Errorf("give --config and either --region or --status")
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	if *status {
		t := target{config: *path}
		return printPasses(ctx, &t, stdout)
	}
	logger, err := newLogger(stderr, cmp.Or(logs.level, cfg.LogLevel), cmp.Or(logs.format, cfg.LogFormat))
	if err != nil {
		return err
	}
	opts, err := cfg.options(logger)
	if err != nil {
		return err
	}
	from := time.Now().Add(-cmp.Or(opts.Reconcile.Lookback, system.DefaultReconcileLookback))
	if *since != "" {
		if from, err = parseSince(*since); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(stdout)
	res, err := system.ReconcileRegion(ctx, opts, *region, reconcile.Options{Since: from, DryRun: *dryRun},
		func(f reconcile.Finding) error { return enc.Encode(f) })
	if res.Region != "" {
		if eerr := enc.Encode(summaryLine{Summary: passLine(res), Since: from, DryRun: *dryRun}); eerr != nil {
			return eerr
		}
	}
	return err
}

func parseSince(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want YYYY-MM-DD or an RFC 3339 time", v)
	}
	return t, nil
}

// pass is one region's pass as the command prints it.
type pass struct {
	Region     string    `json:"region"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	Checked    int       `json:"checked"`
	Found      int       `json:"found"`
	Repaired   int       `json:"repaired"`
	Error      string    `json:"error,omitempty"`
}

func passLine(p sagas.ReconcilePass) pass {
	return pass{Region: p.Region, StartedAt: p.StartedAt, FinishedAt: p.FinishedAt, Checked: p.Checked,
		Found: p.Found, Repaired: p.Repaired, Error: p.Error}
}

// summaryLine ends a pass's output.
type summaryLine struct {
	Summary pass      `json:"summary"`
	Since   time.Time `json:"since"`
	DryRun  bool      `json:"dry_run"`
}

func printPasses(ctx context.Context, t *target, stdout io.Writer) error {
	s, err := t.stores(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	passes, err := s.saga.ReconcilePasses(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, p := range passes {
		if err := enc.Encode(passLine(p)); err != nil {
			return err
		}
	}
	return nil
}
