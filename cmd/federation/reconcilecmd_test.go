package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/reconcile"
	"github.com/fedhealth/federation/sagas/store"
)

// A booking confirmed in the store whose appointment another client then
// cancels at a real FHIR simulator: the command reports it, a dry run
// publishes nothing, a real run writes one clinic event to the outbox,
// and --status shows the pass.
func TestReconcileReportsAsJSONLinesAndRepairsThroughTheOutbox(t *testing.T) {
	t.Setenv("DATABASE_URL", "") // the store is the SQLite one made below, also where CI has PostgreSQL
	sims, err := fleet.StartSimulators(fleet.AllFHIR(fleet.Regions[:1]), 7, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.CloseAll(sims)
	cfgs := fleet.RegistryConfigs(sims)
	ctx := context.Background()
	reg, err := regions.NewRegistry(cfgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	mis, _ := reg.MIS("77")
	slots, err := mis.SearchSlots(ctx, contracts.SlotQuery{Limit: 1})
	if err != nil || len(slots) == 0 {
		t.Fatalf("slots %v, %v", slots, err)
	}
	s := slots[0]
	key := contracts.StepKey("b1", contracts.StepHold)
	held, err := mis.Hold(ctx, contracts.HoldRequest{SlotID: s.ID, Patient: contracts.Patient{SNILS: "11223344595"}, IdempotencyKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mis.Book(ctx, contracts.BookRequest{AppointmentID: held.ID, IdempotencyKey: contracts.StepKey("b1", contracts.StepBook)}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	if err := system.Migrate(ctx, system.Options{DataDir: dir}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, system.StoreConfig(system.Options{DataDir: dir}), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := sagas.NewBooking("b1", "pseudonym", sagas.SlotSnapshot{ID: "77:" + s.ID, MISSlotID: s.ID, Start: s.Start, End: s.End}, "77", nil, "corr", time.Now(), time.Minute)
	b.Confirm(held, time.Now())
	if err := st.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	outbox(t, st)
	if _, err := mis.Cancel(ctx, held.ID, "call-centre"); err != nil { // another client, behind the broker's back
		t.Fatal(err)
	}

	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := fmt.Sprintf("data_dir: %s\nsecrets: {pseudonym_key: env:FED_TEST_KEY, seal_key: env:FED_TEST_KEY}\n"+
		"reconcile: {interval: 5m, regions: {\"77\": 0s}}\n"+
		"regions: [{code: \"77\", name: Moscow, time_zone: Europe/Moscow, mis: {base_url: %q, call_timeout: 2s}}]\n", dir, sims[0].URL)
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	reconcileCmd := func(args ...string) (findings []reconcile.Finding, sum summaryLine) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := runReconcile(ctx, append([]string{"--config", path}, args...), &stdout, &stderr); err != nil {
			t.Fatalf("reconcile %v: %v: %s", args, err, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		for _, l := range lines[:len(lines)-1] {
			var f reconcile.Finding
			if err := json.Unmarshal([]byte(l), &f); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			findings = append(findings, f)
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
			t.Fatalf("summary %q: %v", lines[len(lines)-1], err)
		}
		if strings.Contains(stdout.String(), "11223344595") {
			t.Errorf("a patient identifier was printed: %s", stdout.String())
		}
		return findings, sum
	}

	fs, sum := reconcileCmd("--region", "77", "--since", time.Now().Add(-48*time.Hour).Format(time.DateOnly), "--dry-run")
	if len(fs) != 1 || fs[0].Kind != reconcile.CancelledAtMIS || fs[0].Repaired || fs[0].Repair != contracts.ClinicCancelled ||
		fs[0].BookingID != "b1" || fs[0].AppointmentID != held.ID || !sum.DryRun || sum.Summary.Found != 1 {
		t.Fatalf("dry run: %+v, %+v", fs, sum)
	}
	if n := len(outbox(t, st)); n != 0 {
		t.Fatalf("a dry run wrote %d messages", n)
	}
	fs, sum = reconcileCmd("--region", "77", "--since", time.Now().Add(-48*time.Hour).Format(time.RFC3339))
	if len(fs) != 1 || !fs[0].Repaired || sum.Summary.Repaired != 1 {
		t.Fatalf("run: %+v, %+v", fs, sum)
	}
	recs := outbox(t, st)
	if len(recs) != 1 || recs[0].Topic != contracts.TopicClinic {
		t.Fatalf("outbox %+v, want one clinic event", recs)
	}
	ev, err := contracts.DecodeClinicEvent(recs[0].Payload)
	if err != nil || ev.Change != contracts.ClinicCancelled || ev.Origin != contracts.ClinicOriginReconciliation || ev.AppointmentID != held.ID {
		t.Fatalf("event %+v, %v", ev, err)
	}

	var stdout, stderr bytes.Buffer
	if err := runReconcile(ctx, []string{"--config", path, "--status"}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	var last pass
	if err := json.Unmarshal(stdout.Bytes(), &last); err != nil || last.Region != "77" || last.Repaired != 1 || last.FinishedAt.IsZero() {
		t.Fatalf("status %q: %+v, %v", stdout.String(), last, err)
	}
	stdout.Reset()
	if err := run(ctx, []string{"regions", "status", "--config", path}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	_, table, _ := strings.Cut(stdout.String(), "RECONCILED REGION")
	if row := strings.Fields(strings.Split(table, "\n")[1]); len(row) != 7 || row[0] != "77" || row[3] != "1" || row[4] != "1" || row[5] != "1" || row[6] != "-" {
		t.Errorf("regions status:\n%s\nwant region 77's pass: checked, found and repaired 1, no error", stdout.String())
	}
	if err := runReconcile(ctx, []string{"--config", path}, &stdout, &stderr); err == nil {
		t.Error("neither --region nor --status was accepted")
	}
}

func TestTheReconcileScheduleComesFromTheYAML(t *testing.T) {
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	load := func(section string) (system.ReconcileOptions, error) {
		path := filepath.Join(t.TempDir(), "c.yaml")
		yaml := "secrets: {pseudonym_key: env:FED_TEST_KEY, seal_key: env:FED_TEST_KEY}\n" + section +
			"regions: [{code: \"77\", name: Moscow, time_zone: Europe/Moscow, mis: {base_url: \"http://127.0.0.1:1\"}}]\n"
		if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(path)
		if err != nil {
			return system.ReconcileOptions{}, err
		}
		opts, err := cfg.options(nil)
		return opts.Reconcile, err
	}
	if o, err := load(""); err != nil || o.Interval != 0 {
		t.Errorf("no section: %+v, %v; want the default (0)", o, err)
	}
	if o, err := load("reconcile: {interval: 0s}\n"); err != nil || o.Interval >= 0 {
		t.Errorf("interval 0s: %+v, %v; want off (negative)", o, err)
	}
	if o, err := load("reconcile: {interval: 1m, regions: {\"77\": 0s}, lookback: 24h}\n"); err != nil || o.Interval != time.Minute || o.Regions["77"] != 0 || o.Lookback != 24*time.Hour {
		t.Errorf("full section: %+v, %v", o, err)
	}
	if _, err := load("reconcile: {regions: {\"99\": 1m}}\n"); err == nil {
		t.Error("an interval for a region not configured was accepted")
	}
}
