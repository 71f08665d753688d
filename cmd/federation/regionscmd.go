package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas/sqldb"
)

// runRegions is "federation regions status": what the broker instances
// recorded of each region in the shared store, for operators.
func runRegions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	synopsis := "Usage: federation regions status --config FILE\n\nstatus prints, per region, the latest breaker transition any instance\nrecorded and the slots refused because their UTC offset was not the\nregion's (count over all instances, and the latest). Flags:"
	fs := newFlags("regions", synopsis)
	var t target
	t.storeFlags(fs)
	verb, err := parseVerb(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	if verb != "status" {
		fs.Usage()
		return fmt.Errorf("unknown regions command %q", verb)
	}
	opts, err := t.options()
	if err != nil {
		return err
	}
	if opts.DataDir == "" && opts.PostgresURL == "" {
		return fmt.Errorf("give --config, or --data for a demo's store")
	}
	db, err := sqldb.Open(system.DatabaseConfig(opts))
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := regionstatus.NewStore(ctx, db, true, nil) // tools never change the schema
	if err != nil {
		return err
	}
	statuses, err := st.Latest(ctx)
	if err != nil {
		return err
	}
	offsets, err := st.SlotOffsets(ctx)
	if err != nil {
		return err
	}
	printRegions(stdout, statuses, offsets)
	return nil
}

func printRegions(w io.Writer, statuses map[string]regionstatus.Transition, offsets map[string]regionstatus.SlotOffsets) {
	codes := slices.Collect(maps.Keys(statuses))
	for code := range offsets {
		if _, ok := statuses[code]; !ok {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tSTATUS\tSINCE\tSLOTS REFUSED FOR THEIR OFFSET\tLATEST")
	for _, code := range codes {
		status, since := "-", "-"
		if tr, ok := statuses[code]; ok {
			status, since = string(tr.Status), tr.ChangedAt.UTC().Format(time.RFC3339)
		}
		latest := "-"
		o := offsets[code]
		if o.Mismatches > 0 {
			latest = fmt.Sprintf("slot %s gave %s, region has %s (%s, %s)", o.SlotID, o.Got, o.Want, o.SeenAt.UTC().Format(time.RFC3339), o.Instance)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", code, status, since, o.Mismatches, latest)
	}
	_ = tw.Flush()
}
