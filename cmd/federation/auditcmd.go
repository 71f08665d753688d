package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fedhealth/federation/broker/audit"
)

const auditUsage = `Usage: federation audit [--config FILE | --data DIR] [--booking ID] [--since 24h] [--actor X] [--json]

Prints the audit trail, oldest first: every access to a citizen's bookings
through the API and every operator action (saga retry and abandon, dlq
retry), with who (a citizen's pseudonym, an operator's name), what, when,
which booking, the outcome and the correlation id. Citizens appear only as
the keyed pseudonym their bookings are stored under. Flags:`

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit", auditUsage)
	var t target
	t.storeFlags(fs)
	var f audit.Filter
	fs.StringVar(&f.BookingID, "booking", "", "only the records of this booking")
	fs.StringVar(&f.Actor, "actor", "", "only the records of this actor (an operator's name, a citizen's pseudonym)")
	since := fs.Duration("since", 24*time.Hour, "only the records of this last while; 0 for all")
	fs.IntVar(&f.Limit, "limit", 1000, "at most this many records (the newest)")
	asJSON := fs.Bool("json", false, "print JSON lines, one record each, as the audit topic carries them")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *since < 0 || f.Limit < 1 {
		return fmt.Errorf("--since must not be negative and --limit must be at least 1")
	}
	if *since > 0 {
		f.Since = time.Now().Add(-*since)
	}
	s, err := t.stores(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	recs, err := s.trail.List(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	return printAudit(stdout, recs)
}

// printAudit prints one aligned line per record.
func printAudit(w io.Writer, recs []audit.Record) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTOR\tACTION\tBOOKING\tOUTCOME\tCORRELATION\tMORE")
	for _, r := range recs {
		outcome := string(r.Outcome)
		if r.Status != 0 {
			outcome = fmt.Sprintf("%d %s", r.Status, r.Outcome)
		}
		fmt.Fprintf(tw, "%s\t%s:%s\t%s\t%s\t%s\t%s\t%s\n", r.At.Format(time.RFC3339Nano), r.ActorKind, r.Actor, r.Action,
			orDash(r.BookingID), outcome, orDash(r.CorrelationID), more(r))
	}
	return tw.Flush()
}

// more is the rest of a record, as key=value pairs.
func more(r audit.Record) string {
	var parts []string
	for _, kv := range [][2]string{{"reason", r.Reason}, {"target", r.Target}, {"detail", r.Detail}, {"client", r.Client}} {
		if kv[1] != "" {
			parts = append(parts, fmt.Sprintf("%s=%q", kv[0], kv[1]))
		}
	}
	return strings.Join(parts, " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
