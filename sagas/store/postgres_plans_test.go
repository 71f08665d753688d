package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// TestPostgresServesTheHotAccessPathsFromIndexes is the query-plan test of
// the PostgreSQL schema: with sequential scans priced out of reach
// (enable_seqscan off), a path an index can serve uses one, so any "Seq
// Scan" left in a plan is a path no index serves, which grows with the
// history (as "citizen = ? OR id IN (...)" did: PostgreSQL cannot split an
// OR with a subquery over two indexes).
func TestPostgresServesTheHotAccessPathsFromIndexes(t *testing.T) {
	sqldbtest.RequirePostgres(t)
	dsn := sqldbtest.FreshSchema(t)
	openPostgres(t, dsn) // migrated to the newest schema
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{
		"a citizen's history":                   `SELECT id FROM bookings WHERE citizen = 'c' ORDER BY created_at DESC, id LIMIT 200`,
		"a citizen's history with patient keys": historyWithKeys,
		"a booking's timeline":                  `SELECT seq FROM booking_timeline WHERE booking_id IN ('a', 'b') ORDER BY booking_id, seq`,
		"a booking's patient keys":              `SELECT patient_key FROM booking_patient_keys WHERE booking_id = 'b'`,
		"a citizen's live bookings (guards)": `SELECT id FROM bookings WHERE citizen = 'c'
			AND status IN ('pending', 'confirmed', 'cancelling', 'rescheduling') AND (status <> 'confirmed' OR slot_end > 5)`,
		"the pending bookings by region (gauges)": `SELECT region, COUNT(*) FROM bookings WHERE status = 'pending' GROUP BY region`,
		"a page of a region's reconciliation": `SELECT id FROM bookings WHERE region = '77' AND appointment_id <> ''
			AND saga_kind <> 'operator' AND slot_end >= 5 AND id > 'x' ORDER BY id LIMIT 100`,
		"the overdue pending bookings (sweeper)": `SELECT id FROM bookings WHERE status = 'pending' AND deadline < 5 ORDER BY deadline LIMIT 10`,
		"a booking by its MIS appointment":       `SELECT id FROM bookings WHERE region = '77' AND appointment_id = 'a' AND appointment_id <> ''`,
		"the outbox from a position (relay)":     `SELECT seq FROM outbox WHERE seq > 0 ORDER BY seq LIMIT 100`,
	}
	for name, query := range paths {
		rows, err := conn.QueryContext(ctx, "EXPLAIN "+query)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, strings.TrimSpace(line))
		}
		rows.Close()
		if p := strings.Join(plan, "\n"); strings.Contains(p, "Seq Scan") {
			t.Errorf("%s scans a whole table:\n%s", name, p)
		}
	}
}
