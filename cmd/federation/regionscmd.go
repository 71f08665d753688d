package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/store"
)

// runRegions is "federation regions status": what the broker instances
// recorded of each region in the shared store, for operators.
func runRegions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	synopsis := "Usage: federation regions status --config FILE\n\nstatus prints, per region, the latest breaker transition any instance\nrecorded and the slots refused because their UTC offset was not the\nregion's (count over all instances, and the latest); then, for feed\nregions, the latest poll of the clinics' slot publisher; then the status\ncallbacks refused per region and reason; then each region's last live\nconformance probe run and the requirements it failed. Flags:"
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
	db, err := t.database()
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
	feeds, err := st.FeedSyncs(ctx)
	if err != nil {
		return err
	}
	bookings, err := store.New(ctx, db, store.Options{SkipMigrations: true})
	if err != nil {
		return err
	}
	defer bookings.Close()
	passes, err := bookings.ReconcilePasses(ctx)
	if err != nil {
		return err
	}
	rejected, err := st.CallbackRejections(ctx)
	if err != nil {
		return err
	}
	probed, err := probes.NewStore(ctx, db, true, nil)
	if err != nil {
		return err
	}
	runs, err := probed.LastRuns(ctx)
	if err != nil {
		return err
	}
	printRegions(stdout, statuses, offsets)
	if len(feeds) > 0 {
		fmt.Fprintln(stdout)
		printFeeds(stdout, feeds)
	}
	if len(passes) > 0 {
		fmt.Fprintln(stdout)
		printPassTable(stdout, passes)
	}
	if len(rejected) > 0 {
		fmt.Fprintln(stdout)
		printCallbackRejections(stdout, rejected)
	}
	if len(runs) > 0 {
		fmt.Fprintln(stdout)
		printProbeRuns(stdout, runs)
	}
	return nil
}

// printProbeRuns shows each region's last live conformance probe run,
// whichever instance ran it: a failed ID names the kit's requirement the
// MIS broke (GET /api/v1/regions/{code}/conformance has the evidence).
func printProbeRuns(w io.Writer, runs []probes.Run) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROBED REGION\tLAST PROBE\tKIND\tPASSED\tFAILED\tSKIPPED\tFAILED IDS")
	for _, r := range runs {
		failed := strings.Join(r.FailedIDs, ",")
		if r.Error != "" {
			failed = "could not run: " + r.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", r.Region, stamp(r.Started), r.Kind, r.Passed, r.Failed, r.Skipped, orDash(failed))
	}
	_ = tw.Flush()
}

// printPassTable shows each region's last reconciliation pass, whichever
// instance or tool ran it.
func printPassTable(w io.Writer, passes []sagas.ReconcilePass) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECONCILED REGION\tLAST PASS\tTOOK\tCHECKED\tFOUND\tREPAIRED\tERROR")
	for _, p := range passes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\n", p.Region, stamp(p.FinishedAt), p.FinishedAt.Sub(p.StartedAt).Round(time.Millisecond),
			p.Checked, p.Found, p.Repaired, orDash(p.Error))
	}
	_ = tw.Flush()
}

// printCallbackRejections shows the status callbacks refused per region and
// reason over every instance: a rising bad_signature is a sender with a
// wrong or rotated-away secret, or someone probing; stale_timestamp an MIS
// whose clock drifts.
func printCallbackRejections(w io.Writer, rs []regionstatus.CallbackRejections) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CALLBACKS REFUSED	REASON	COUNT	LAST")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", r.Region, r.Reason, r.Count, r.LastAt.UTC().Format(time.RFC3339))
	}
	_ = tw.Flush()
}

// printFeeds shows each feed region's publisher as the latest poll of any
// instance saw it: whether its slots are known, when it last synced, what
// the data set in force holds and what of it was skipped or refused.
func printFeeds(w io.Writer, feeds map[string]regionstatus.FeedSync) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FEED REGION\tAVAILABILITY\tLAST SYNC\tLAST POLL\tOUTCOME\tFREE/SLOTS\tSKIPPED\tREFUSED MANIFESTS\tLAST ERROR")
	for _, code := range slices.Sorted(maps.Keys(feeds)) {
		f := feeds[code]
		skipped := strconv.FormatInt(f.SkippedTotal(), 10)
		if len(f.Skipped) > 0 {
			var parts []string
			for _, reason := range slices.Sorted(maps.Keys(f.Skipped)) {
				parts = append(parts, fmt.Sprintf("%s=%d", reason, f.Skipped[reason]))
			}
			skipped += " (" + strings.Join(parts, ",") + ")"
		}
		lastErr := f.LastError
		if lastErr == "" {
			lastErr = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%d\t%s\n", code, f.Availability, stamp(f.LastSync),
			stamp(f.LastAttempt)+" ("+f.Instance+")", orDash(f.LastOutcome), f.FreeSlots, f.Slots, skipped, f.RefusedManifests, lastErr)
	}
	_ = tw.Flush()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
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
