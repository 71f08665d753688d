package audit_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/jonboulle/clockwork"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T, db *sqldb.DB, c *clockwork.FakeClock) *audit.Store {
	t.Helper()
	s, err := audit.New(context.Background(), db, audit.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func citizenRead(actor, booking string) audit.Record {
	return audit.Record{ActorKind: audit.Citizen, Actor: actor, Action: audit.BookingRead, BookingID: booking,
		Status: 200, Outcome: audit.OK, CorrelationID: "corr-1", Client: audit.ClientLoopback}
}

func TestRecordsAreListedByBookingActorAndTimeOldestFirst(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, _ := open(t)
		c := clockwork.NewFakeClockAt(t0)
		s := newStore(t, db, c)
		ctx := context.Background()
		for i, r := range []audit.Record{citizenRead("p-anna", "b1"), citizenRead("p-boris", "b2"), citizenRead("p-anna", "b2")} {
			if i > 0 {
				c.Advance(time.Hour) // record i at t0 + i hours
			}
			got, err := s.Append(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID == "" || got.Seq == 0 || !got.At.Equal(c.Now()) {
				t.Errorf("appended %+v: want an id, a seq and the clock's time", got)
			}
		}
		cases := []struct {
			name string
			f    audit.Filter
			want []string // actor/booking of each record, in order
		}{
			{"everything comes oldest first", audit.Filter{}, []string{"p-anna/b1", "p-boris/b2", "p-anna/b2"}},
			{"a booking's records", audit.Filter{BookingID: "b2"}, []string{"p-boris/b2", "p-anna/b2"}},
			{"an actor's records", audit.Filter{Actor: "p-anna"}, []string{"p-anna/b1", "p-anna/b2"}},
			{"records since a time", audit.Filter{Since: t0.Add(time.Hour)}, []string{"p-boris/b2", "p-anna/b2"}},
			{"every filter at once", audit.Filter{Actor: "p-anna", BookingID: "b2", Since: t0}, []string{"p-anna/b2"}},
			{"a limit keeps the newest", audit.Filter{Limit: 2}, []string{"p-boris/b2", "p-anna/b2"}},
			{"no match is an empty list", audit.Filter{Actor: "nobody"}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				recs, err := s.List(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range recs {
					got = append(got, r.Actor+"/"+r.BookingID)
				}
				if strings.Join(got, ",") != strings.Join(tc.want, ",") {
					t.Errorf("List(%+v) = %v, want %v", tc.f, got, tc.want)
				}
			})
		}
		recs, _ := s.List(ctx, audit.Filter{BookingID: "b1"})
		want := citizenRead("p-anna", "b1")
		want.Seq, want.ID, want.At = recs[0].Seq, recs[0].ID, t0
		if recs[0] != want {
			t.Errorf("stored %+v, read back %+v", want, recs[0])
		}
	})
}

func TestAStoredRecordCannotBeChangedOrRemoved(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, _ := open(t)
		s := newStore(t, db, clockwork.NewFakeClockAt(t0))
		ctx := context.Background()
		rec, err := s.Append(ctx, citizenRead("p-anna", "b1"))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE audit_records SET actor = 'someone else'`,
			`UPDATE audit_records SET outcome = 'ok' WHERE seq = ` + itoa(rec.Seq),
			`DELETE FROM audit_records`,
			`DELETE FROM audit_records WHERE seq = ` + itoa(rec.Seq),
		} {
			_, err := db.W.ExecContext(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want it refused as append-only", q, err)
			}
		}
		if db.Dialect == sqldb.Postgres {
			if _, err := db.W.ExecContext(ctx, `TRUNCATE audit_records CASCADE`); err == nil {
				t.Error("TRUNCATE of the audit trail succeeded")
			}
		}
		recs, err := s.List(ctx, audit.Filter{})
		if err != nil || len(recs) != 1 || recs[0] != rec {
			t.Errorf("after the refused changes: %+v (%v), want the record unchanged", recs, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAnUnfitRecordIsRefusedAndNothingIsWritten(t *testing.T) {
	db, _ := sqldbtest.SQLite(t)
	s := newStore(t, db, clockwork.NewFakeClockAt(t0))
	op := audit.Record{ActorKind: audit.Operator, Actor: "kira", Action: audit.SagaRetry, BookingID: "b1", Outcome: audit.OK}
	cases := []struct {
		name   string
		change func(*audit.Record)
	}{
		{"a record without an actor", func(r *audit.Record) { r.Actor = "" }},
		{"an unknown kind of actor", func(r *audit.Record) { r.ActorKind = "robot" }},
		{"a record without an action", func(r *audit.Record) { r.Action = "" }},
		{"an unknown outcome", func(r *audit.Record) { r.Outcome = "maybe" }},
		{"a status that is no HTTP status", func(r *audit.Record) { r.Status = 4040 }},
		{"a reason longer than a thousand bytes", func(r *audit.Record) { r.Reason = strings.Repeat("x", 1001) }},
		{"a control character in a reason", func(r *audit.Record) { r.Reason = "fixed\nforged line" }},
		{"a SNILS in a reason", func(r *audit.Record) { r.Reason = "patient 112-233-445 95 called" }},
		{"an OMS number in a reason", func(r *audit.Record) { r.Reason = "policy 1234567890123456" }},
		{"a SNILS as the operator's name", func(r *audit.Record) { r.Actor = "11223344595" }},
		{"an oversized booking id", func(r *audit.Record) { r.BookingID = strings.Repeat("b", 129) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := op
			tc.change(&r)
			if _, err := s.Append(context.Background(), r); !errors.Is(err, contracts.ErrInvalid) {
				t.Errorf("Append: %v, want ErrInvalid", err)
			}
		})
	}
	if recs, _ := s.List(context.Background(), audit.Filter{}); len(recs) != 0 {
		t.Errorf("refused records were stored: %+v", recs)
	}
	op.Reason = "MIS 77 fixed, ticket INC-2041, booking 6f1c4d2a-7f0e-4c55-9a59-2b8f3c1e9d10"
	if _, err := s.Append(context.Background(), op); err != nil {
		t.Errorf("a reason naming a ticket and a booking: %v, want it accepted", err)
	}
	// Pseudonyms are hex: some hold long runs of digits.
	if _, err := s.Append(context.Background(), citizenRead("40512345678901a2b3c4d5e6f7a8b9c0", "b1")); err != nil {
		t.Errorf("a citizen's pseudonym with a run of digits: %v, want it accepted", err)
	}
}

func TestTheCheckFailsWhenTheTrailIsNotMigrated(t *testing.T) {
	db, _ := sqldbtest.SQLite(t)
	s, err := audit.New(context.Background(), db, audit.Options{SkipMigrations: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "federation migrate") {
		t.Errorf("Check without the table: %v, want an error pointing at migrate", err)
	}
	if err := audit.Migrate(context.Background(), db, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Errorf("Check after migrating: %v", err)
	}
}

func TestClientClassNamesTheKindOfAddressNotTheAddress(t *testing.T) {
	cases := []struct{ remote, want string }{
		{"127.0.0.1:52100", audit.ClientLoopback},
		{"[::1]:52100", audit.ClientLoopback},
		{"10.1.2.3:443", audit.ClientPrivate},
		{"192.168.0.7:80", audit.ClientPrivate},
		{"[fe80::1%eth0]:80", audit.ClientPrivate},
		{"[::ffff:10.0.0.1]:80", audit.ClientPrivate},
		{"203.0.113.9:51000", audit.ClientPublic},
		{"[2001:db8::1]:51000", audit.ClientPublic},
		{"not an address", audit.ClientUnknown},
		{"", audit.ClientUnknown},
	}
	for _, tc := range cases {
		if got := audit.ClientClass(tc.remote); got != tc.want {
			t.Errorf("ClientClass(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}

func TestABookingIdTheTrailCannotHoldIsNotCopiedIntoIt(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"6f1c4d2a-7f0e-4c55-9a59-2b8f3c1e9d10", true},
		{"b1", true},
		{"", true},
		{strings.Repeat("x", 65), false},
		{"id with spaces", false},
		{"id\nwith a forged line", false},
		{"идентификатор", false},
	}
	for _, tc := range cases {
		if got := audit.FitsBookingID(tc.id); got != tc.want {
			t.Errorf("FitsBookingID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
