package store_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// Each access path a saga step or a citizen's request takes through the
// bookings' tables must be served by an index: a full scan there makes
// every step slower as bookings accumulate, which no functional test
// notices (the store suite's tables are small) and the bench shows only as
// a throughput that sinks run after run. SQLite's query plan says "SCAN
// <table>" for a full scan; "SEARCH ... USING (COVERING) INDEX" otherwise.
func TestEveryHotAccessPathOfTheBookingsIsServedByAnIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plans.db")
	openSQLite(t, path) // migrated to the newest schema
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	paths := map[string]string{
		"a booking by id":                    `SELECT * FROM bookings WHERE id = 'b'`,
		"a booking's timeline":               `SELECT * FROM booking_timeline WHERE booking_id = 'b' ORDER BY seq`,
		"a booking's patient keys":           `SELECT patient_key FROM booking_patient_keys WHERE booking_id = 'b'`,
		"the bookings of a patient key":      `SELECT booking_id FROM booking_patient_keys WHERE patient_key = 'k'`,
		"a citizen's history":                `SELECT id FROM bookings WHERE citizen = 'c'`,
		"a citizen's live bookings (guards)": `SELECT id FROM bookings WHERE citizen = 'c' AND status IN ('pending', 'confirmed', 'cancelling') AND slot_end > 0`,
		"a citizen's active bookings counted (guards)": `SELECT COUNT(*) FROM bookings WHERE citizen = 'c' AND status IN ('pending', 'confirmed', 'cancelling', 'rescheduling')
			AND (status <> 'confirmed' OR slot_end > 5) AND id <> 'b' AND (status <> 'confirmed' OR slot_start > 5)`,
		"a booking by its MIS appointment": `SELECT id FROM bookings WHERE region = ? AND appointment_id = ? AND appointment_id <> ''`,
		"a page of a region's reconciliation": `SELECT id FROM bookings WHERE region = '77' AND appointment_id <> '' AND saga_kind <> 'operator'
			AND slot_end >= 5 AND id > 'x' ORDER BY id LIMIT 100`,
		"a clinic event applied":                     `SELECT COUNT(*) FROM clinic_events_applied WHERE event_id = 'e'`,
		"the overdue pending bookings (sweeper)":     `SELECT id FROM bookings WHERE status = 'pending' AND deadline < 0 ORDER BY deadline LIMIT 10`,
		"a region's oldest waiting hold (admission)": `SELECT MIN(created_at) FROM bookings WHERE region = '77' AND status = 'pending' AND step = 'hold'`,
		// The queries below are the store's own texts, where a bound
		// parameter could keep a partial index from being used.
		"the pending bookings by region (gauges)": `SELECT region, COUNT(*) FROM bookings WHERE status = 'pending' GROUP BY region`,
		"the parked clinic events now matched": `SELECT event_id FROM clinic_events_unmatched u WHERE EXISTS
			(SELECT 1 FROM bookings b WHERE b.region = u.region AND b.appointment_id = u.appointment_id AND b.appointment_id <> '')
			ORDER BY received_at, event_id LIMIT 10`,
		"a citizen's history with patient keys":         historyWithKeys,
		"the kept patient identifiers past their grace": `SELECT id FROM bookings WHERE patient_sealed IS NOT NULL AND step = 'done' AND slot_end < 5`,
		"the outbox from a position (relay)":            `SELECT seq FROM outbox WHERE seq > 0 ORDER BY seq LIMIT 100`,
	}
	for name, query := range paths {
		args := make([]any, strings.Count(query, "?"))
		for i := range args {
			args[i] = "x"
		}
		rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notUsed int
			var detail string
			if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "USING") && !smallTable(step) {
				t.Errorf("%s scans a whole table: %s", name, strings.Join(plan, "; "))
			}
			// A sort of every matching row is a scan too when the rows are
			// a region's whole history (a citizen's are few: those may sort).
			if strings.Contains(step, "TEMP B-TREE") && strings.HasPrefix(name, "a page of") {
				t.Errorf("%s sorts every matching row: %s", name, strings.Join(plan, "; "))
			}
		}
	}
}

// smallTable: the parked clinic events are few (each waits for its
// booking), so a pass over them is no scan of the history.
func smallTable(step string) bool { return strings.HasPrefix(step, "SCAN u") }

// historyWithKeys is ListByCitizen's query for a citizen with patient keys.
const historyWithKeys = `SELECT id FROM bookings WHERE id IN (SELECT id FROM bookings WHERE citizen = 'c'
	UNION SELECT booking_id FROM booking_patient_keys WHERE patient_key IN ('k1', 'k2')) ORDER BY created_at DESC, id LIMIT 200`
