package main

import (
	"context"
	"encoding/json"

	"fmt"
	"io"
	"time"

	"github.com/fedhealth/federation/contracts"
)

const clinicUsage = `Usage: federation clinic unmatched [--config FILE | --data DIR] [--limit N]

unmatched prints, as JSON lines, the clinic events parked because no
booking has their appointment (docs/history.md, rule "unknown
appointment"): when it came, the region, the MIS appointment id and the
change, never a patient identifier. The running broker applies each once
a booking of its appointment appears. Flags:`

func runClinic(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("clinic", clinicUsage)
	var t target
	t.storeFlags(fs)
	limit := fs.Int("limit", 1000, "at most this many events")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), clinicUsage)
		fs.PrintDefaults()
	}
	verb, err := parseVerb(fs, args, stdout, stderr)
	if err != nil {
		return err
	}
	if verb != "unmatched" {
		fs.Usage()
		return fmt.Errorf("unknown clinic command %q", verb)
	}
	return listUnmatched(ctx, &t, *limit, stdout)
}

// unmatchedLine is one parked clinic event as "clinic unmatched" prints it.
type unmatchedLine struct {
	ReceivedAt    time.Time              `json:"received_at"`
	EventID       string                 `json:"event_id"`
	Region        string                 `json:"region"`
	AppointmentID string                 `json:"appointment_id"`
	Change        contracts.ClinicChange `json:"change"`
	At            time.Time              `json:"at"`
}

func listUnmatched(ctx context.Context, t *target, limit int, stdout io.Writer) error {
	s, err := t.stores(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	parked, err := s.saga.Unmatched(ctx, false, limit)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, p := range parked {
		ev, _ := contracts.DecodeClinicEvent(p.Payload) // validated when parked
		if err := enc.Encode(unmatchedLine{ReceivedAt: p.ReceivedAt, EventID: p.EventID, Region: p.Region,
			AppointmentID: p.AppointmentID, Change: ev.Change, At: ev.At}); err != nil {
			return err
		}
	}
	return nil
}
