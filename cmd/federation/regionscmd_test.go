package main

import (
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
)

func TestRegionsStatusShowsSlotsRefusedForTheirOffset(t *testing.T) {
	ctx := t.Context()
	dir, db := migratedDataDir(t)
	st, err := regionstatus.NewStore(ctx, db, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if err := st.Record(ctx, "77", regionstatus.Transition{Status: contracts.RegionUnavailable, Instance: "i1", ChangedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddSlotOffsets(ctx, "25", 73, regionstatus.SlotOffsets{SlotID: "S-42", Got: "+07:00", Want: "+10:00", Instance: "i1", SeenAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordFeedSync(ctx, "39", regionstatus.FeedSync{Instance: "i2", Availability: "unknown",
		LastSync: at.Add(-time.Hour), LastAttempt: at, LastOutcome: "error", LastError: "manifest lists a file on another host",
		Slots: 40, FreeSlots: 12, Skipped: map[string]int64{"malformed": 2, "too_long": 1}, RefusedManifests: 3}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var stdout, stderr strings.Builder
	if err := run(ctx, []string{"regions", "status", "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("regions status: %v\n%s", err, stderr.String())
	}
	regionsPart, feedPart, ok := strings.Cut(strings.TrimSpace(stdout.String()), "\n\n")
	if !ok {
		t.Fatalf("output:\n%s\nwant the regions, then the feed regions", stdout.String())
	}
	lines := strings.Split(regionsPart, "\n")
	if len(lines) != 3 {
		t.Fatalf("output:\n%s\nwant a header and two regions", stdout.String())
	}
	feedLines := strings.Split(feedPart, "\n")
	if len(feedLines) != 2 || !strings.HasPrefix(feedLines[0], "FEED REGION") {
		t.Fatalf("feed part:\n%s\nwant a header and one feed region", feedPart)
	}
	for _, want := range []string{"39 ", "unknown", "2026-11-25T11:00:00Z", "2026-11-25T12:00:00Z (i2)", "12/40",
		"3 (malformed=2,too_long=1)", "manifest lists a file on another host"} {
		if !strings.Contains(feedLines[1], want) {
			t.Errorf("feed line %q lacks %q", feedLines[1], want)
		}
	}
	if f := strings.Fields(lines[1]); f[0] != "25" || f[3] != "73" || !strings.Contains(lines[1], "slot S-42 gave +07:00, region has +10:00 (2026-11-25T12:00:00Z, i1)") {
		t.Errorf("region 25 line %q", lines[1])
	}
	if f := strings.Fields(lines[2]); f[0] != "77" || f[1] != "unavailable" || f[3] != "0" {
		t.Errorf("region 77 line %q", lines[2])
	}
}

func TestRegionsStatusShowsRefusedCallbacks(t *testing.T) {
	ctx := t.Context()
	dir, db := migratedDataDir(t)
	st, _ := regionstatus.NewStore(ctx, db, true, nil)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for range 3 {
		_ = st.AddCallbackRejection(ctx, "78", "bad_signature", at)
	}
	_ = st.AddCallbackRejection(ctx, "16", "stale_timestamp", at)
	db.Close()
	var stdout, stderr strings.Builder
	if err := run(ctx, []string{"regions", "status", "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("regions status: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	_, part, _ := strings.Cut(out, "CALLBACKS REFUSED")
	lines := strings.Split(strings.TrimSpace(part), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "16 ") || !strings.Contains(lines[2], "bad_signature") ||
		!strings.Contains(lines[2], " 3 ") || !strings.Contains(lines[2], "2026-12-01T09:00:00Z") {
		t.Errorf("output:\n%s\nwant the refusals per region and reason", out)
	}
}

func TestRegionsStatusShowsTheLastProbeRunOfEachRegion(t *testing.T) {
	ctx := t.Context()
	dir, db := migratedDataDir(t)
	st, _ := probes.NewStore(ctx, db, true, nil)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	_ = st.Save(ctx, probes.Run{Region: "77", Kind: "fhir", Started: at, Finished: at, Passed: 20}, nil)
	_ = st.Save(ctx, probes.Run{Region: "77", Kind: "fhir", Started: at.Add(10 * time.Minute), Finished: at.Add(10 * time.Minute),
		Passed: 18, Failed: 2, FailedIDs: []string{"FHIR-SEARCH-01", "FHIR-R4-04"}}, nil)
	_ = st.Save(ctx, probes.Run{Region: "41", Kind: "soap", Started: at, Finished: at, Error: "kind soap needs a step ledger"}, nil)
	db.Close()
	var stdout, stderr strings.Builder
	if err := run(ctx, []string{"regions", "status", "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("regions status: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	_, part, _ := strings.Cut(out, "PROBED REGION")
	lines := strings.Split(strings.TrimSpace(part), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "41 ") || !strings.Contains(lines[1], "could not run: kind soap needs a step ledger") ||
		!strings.HasPrefix(lines[2], "77 ") || !strings.Contains(lines[2], "2026-12-01T09:10:00Z") ||
		!strings.Contains(lines[2], "FHIR-SEARCH-01,FHIR-R4-04") {
		t.Errorf("output:\n%s\nwant each region's last run with its failed IDs", out)
	}
}

// migratedDataDir is a fresh data directory with every store's tables, and
// its database opened (the caller closes it before a command reads it).
func migratedDataDir(t *testing.T) (string, *sqldb.DB) {
	t.Helper()
	dir := t.TempDir()
	opts := system.Options{DataDir: dir}
	if err := system.Migrate(t.Context(), opts, nil); err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(system.DatabaseConfig(opts))
	if err != nil {
		t.Fatal(err)
	}
	return dir, db
}
