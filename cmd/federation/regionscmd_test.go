package main

import (
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
)

func TestRegionsStatusShowsSlotsRefusedForTheirOffset(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	opts := system.Options{DataDir: dir}
	if err := system.Migrate(ctx, opts, nil); err != nil {
		t.Fatal(err)
	}
	db, err := sqldb.Open(system.DatabaseConfig(opts))
	if err != nil {
		t.Fatal(err)
	}
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
	db.Close()

	var stdout, stderr strings.Builder
	if err := run(ctx, []string{"regions", "status", "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("regions status: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("output:\n%s\nwant a header and two regions", stdout.String())
	}
	if f := strings.Fields(lines[1]); f[0] != "25" || f[3] != "73" || !strings.Contains(lines[1], "slot S-42 gave +07:00, region has +10:00 (2026-11-25T12:00:00Z, i1)") {
		t.Errorf("region 25 line %q", lines[1])
	}
	if f := strings.Fields(lines[2]); f[0] != "77" || f[1] != "unavailable" || f[3] != "0" {
		t.Errorf("region 77 line %q", lines[2])
	}
}
