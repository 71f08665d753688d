package ops_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/cmd/federation/internal/ops"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/fedhealth/federation/sagas/store"
)

// shared opens the bookings store and the audit trail over one SQLite
// database, as the operator commands do.
func shared(t *testing.T) (*store.DB, *audit.Store, *sqldb.DB) {
	t.Helper()
	db, _ := sqldbtest.SQLite(t)
	st, err := store.New(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	trail, err := audit.New(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st, trail, db
}

func retry(st *store.DB, id string) func(*audit.Record) error {
	return func(*audit.Record) error {
		_, err := ops.RetrySaga(context.Background(), st, id, now)
		return err
	}
}

func TestAnOperatorsActionIsRecordedWithWhoWhyAndOutcome(t *testing.T) {
	st, trail, _ := shared(t)
	create(t, st, "b1", nil)
	kira := ops.Operator{Name: "kira", Reason: "INC-2041: MIS 77 back"}
	ctx := context.Background()
	if err := ops.Audited(ctx, trail, kira, audit.SagaRetry, "b1", retry(st, "b1")); err != nil {
		t.Fatal(err)
	}
	err := ops.Audited(ctx, trail, kira, audit.SagaRetry, "b2", retry(st, "b2"))
	if !errors.Is(err, contracts.ErrNotFound) {
		t.Fatalf("retry of an unknown booking: %v, want its not-found error", err)
	}
	recs, err := trail.List(ctx, audit.Filter{Actor: "kira"})
	if err != nil || len(recs) != 2 {
		t.Fatalf("trail: %+v (%v), want two records by kira", recs, err)
	}
	done, failed := recs[0], recs[1]
	if done.ActorKind != audit.Operator || done.Action != audit.SagaRetry || done.BookingID != "b1" || done.Outcome != audit.OK ||
		done.Reason != kira.Reason || time.Since(done.At) > time.Minute {
		t.Errorf("record of the retry: %+v", done)
	}
	if failed.BookingID != "b2" || failed.Outcome != audit.Failed || !strings.Contains(failed.Detail, `no booking "b2"`) {
		t.Errorf("record of the failed retry: %+v, want failed with the error", failed)
	}
}

func TestNothingIsDoneThatCouldNotBeRecorded(t *testing.T) {
	cases := []struct {
		name string
		op   ops.Operator
		drop bool // the trail's table is gone
		want string
	}{
		{"an operator without a name", ops.Operator{Reason: "INC-1"}, false, "--operator"},
		{"an action without a reason", ops.Operator{Name: "kira"}, false, "--reason"},
		{"a reason naming a citizen's SNILS", ops.Operator{Name: "kira", Reason: "patient 112-233-445 95"}, false, "SNILS"},
		{"a trail that cannot be reached", ops.Operator{Name: "kira", Reason: "INC-1"}, true, "nothing done"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, trail, db := shared(t)
			create(t, st, "b1", nil)
			if tc.drop {
				if _, err := db.W.ExecContext(context.Background(), `DROP TABLE audit_outbox`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.W.ExecContext(context.Background(), `DROP TABLE audit_records`); err != nil {
					t.Fatal(err)
				}
			}
			acted := false
			err := ops.Audited(context.Background(), trail, tc.op, audit.SagaRetry, "b1", func(r *audit.Record) error {
				acted = true
				return retry(st, "b1")(r)
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tc.want)
			}
			if acted || len(drain(t, st)) != 0 {
				t.Error("the action ran although it could not be recorded")
			}
		})
	}
}
