package analytics_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/sagas/sqldb"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// scanAnalyticsTables returns every text value of every column of the
// analytics tables.
func scanAnalyticsTables(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.R.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'analytics_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 6 {
		t.Fatalf("only tables %v", tables)
	}
	var values []string
	for _, table := range tables {
		rows, err := db.R.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if s, ok := v.(string); ok { // numbers are counts and Unix nanoseconds
					values = append(values, fmt.Sprintf("%s.%s=%s", table, cols[i], s))
				}
			}
		}
		rows.Close()
	}
	return values
}

func TestTheModelKeepsNoBookingIdOrIdentifier(t *testing.T) {
	db, _ := sqldbtest.SQLite(t)
	st, err := analytics.NewStore(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := booking{region: "77", specialty: "therapist", at: on(1), outcome: "cancelled"}
	evs := b.events()
	for _, ev := range evs {
		ev.Reason = "patient 123-456-789 01 asked" // a reason with a SNILS in it must not reach the model
		if _, err := st.Apply(context.Background(), 1, ev); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]bool{}
	for _, ev := range evs {
		ids["analytics_processed_events.event_id="+ev.EventID] = true
	}
	for _, v := range scanAnalyticsTables(t, db) {
		if strings.Contains(v, evs[0].BookingID) || strings.Contains(v, evs[0].CorrelationID) {
			t.Errorf("the model keeps %s", v)
		}
		// Event ids are the outbox's random UUIDs, whose digits may run to
		// a SNILS's length by chance: held to being exactly those.
		if audit.LooksLikeIdentifier(v) && !ids[v] {
			t.Errorf("the model keeps something shaped like an identifier: %s", v)
		}
	}
}
