package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/sagas/store"
)

// auditJSON runs "federation audit --json" with args and decodes its lines.
func auditJSON(t *testing.T, args ...string) []audit.Record {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := runAudit(context.Background(), append([]string{"--json"}, args...), &stdout, &stderr); err != nil {
		t.Fatalf("audit %v: %v (%s)", args, err, stderr.String())
	}
	var out []audit.Record
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var r audit.Record
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestOperatorActionsAreAuditedAndTheAuditCommandPrintsThem(t *testing.T) {
	dir := demoStore(t, "b1")
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	if err := runSaga(ctx, []string{"retry", "--data", dir, "--operator", "kira", "--reason", "INC-7: MIS 77 back", "b1"}, &stdout, &stderr); err != nil {
		t.Fatalf("saga retry: %v (%s)", err, stderr.String())
	}
	t.Setenv("USER", "lena") // the operator's login, without --operator
	if err := runSaga(ctx, []string{"abandon", "--data", dir, "--reason", "INC-8: clinic closed", "b1"}, &stdout, &stderr); err != nil {
		t.Fatalf("saga abandon: %v (%s)", err, stderr.String())
	}

	all := auditJSON(t, "--data", dir)
	if len(all) != 2 {
		t.Fatalf("audit printed %+v, want the two actions", all)
	}
	for i, want := range []struct {
		actor, reason string
		action        audit.Action
	}{{"kira", "INC-7: MIS 77 back", audit.SagaRetry}, {"lena", "INC-8: clinic closed", audit.SagaAbandon}} {
		r := all[i]
		if r.ActorKind != audit.Operator || r.Actor != want.actor || r.Action != want.action || r.BookingID != "b1" ||
			r.Outcome != audit.OK || r.Reason != want.reason || r.ID == "" {
			t.Errorf("record %d: %+v, want %s by %s on b1 because %q", i, r, want.action, want.actor, want.reason)
		}
	}
	if got := auditJSON(t, "--data", dir, "--actor", "lena"); len(got) != 1 || got[0].Action != audit.SagaAbandon {
		t.Errorf("--actor lena: %+v, want lena's abandon", got)
	}
	if got := auditJSON(t, "--data", dir, "--booking", "b2"); len(got) != 0 {
		t.Errorf("--booking b2: %+v, want nothing", got)
	}

	stdout.Reset()
	if err := runAudit(ctx, []string{"--data", dir, "--since", "1h"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TIME") ||
		!strings.Contains(lines[1], "operator:kira") || !strings.Contains(lines[1], "saga.retry") || !strings.Contains(lines[1], `reason="INC-7: MIS 77 back"`) ||
		!strings.Contains(lines[2], "operator:lena") || !strings.Contains(lines[2], "saga.abandon") || !strings.Contains(lines[2], "b1") {
		t.Errorf("audit printed:\n%s", stdout.String())
	}
}

func TestAnOperatorActionThatCannotBeAuditedChangesNothing(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"without a reason", []string{"--operator", "kira"}, "--reason"},
		{"without an operator or $USER", []string{"--reason", "INC-9"}, "--operator"},
		{"with a SNILS in the reason", []string{"--operator", "kira", "--reason", "for 112-233-445 95"}, "SNILS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("USER", "")
			dir := demoStore(t, "b1")
			var stdout, stderr bytes.Buffer
			args := append(append([]string{"abandon", "--data", dir}, tc.args...), "b1")
			err := runSaga(context.Background(), args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("saga abandon %v: %v, want an error about %s", tc.args, err, tc.want)
			}
			st, err := store.Open(context.Background(), system.StoreConfig(system.Options{DataDir: dir}), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if b, _ := st.Get(context.Background(), "b1"); b.Status != "pending" {
				t.Errorf("booking is %s after the refused abandon, want it still pending", b.Status)
			}
			if recs := auditJSON(t, "--data", dir, "--since", "0"); len(recs) != 0 {
				t.Errorf("audit trail holds %+v", recs)
			}
		})
	}
}

func TestTheAuditCommandRefusesNonsense(t *testing.T) {
	dir := demoStore(t, "b1")
	for _, args := range [][]string{
		{"--data", dir, "--since", "-1h"},
		{"--data", dir, "--limit", "0"},
		{"--data", dir, "extra"},
		{"--since", "1h"}, // no store
	} {
		var stdout, stderr bytes.Buffer
		if err := runAudit(context.Background(), args, &stdout, &stderr); err == nil {
			t.Errorf("audit %v succeeded", args)
		}
	}
}
