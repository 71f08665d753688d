package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/store"
)

func TestClinicUnmatchedListsTheParkedEventsWithoutPatientData(t *testing.T) {
	dir := demoStore(t, "b1")
	ctx := context.Background()
	st, err := store.Open(ctx, system.StoreConfig(system.Options{DataDir: dir}), nil)
	if err != nil {
		t.Fatal(err)
	}
	const stray = `{"v":1,"event_id":"e1","region":"77","appointment_id":"NOBODY","change":"cancelled","reason_code":"other","at":"2026-12-01T09:00:00Z"}`
	if err := clinic.NewApplier(st, time.Now, nil).Apply(ctx, []byte(stray)); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var stdout, stderr bytes.Buffer
	if err := runClinic(ctx, []string{"unmatched", "--data", dir}, &stdout, &stderr); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var got unmatchedLine
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &got) != nil {
		t.Fatalf("printed %q", stdout.String())
	}
	if got.EventID != "e1" || got.Region != "77" || got.AppointmentID != "NOBODY" || got.Change != "cancelled" {
		t.Errorf("line %+v", got)
	}
	if err := runClinic(ctx, []string{"replay", "--data", dir}, &stdout, &stderr); err == nil {
		t.Error("an unknown clinic command was accepted")
	}
}
