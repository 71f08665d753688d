package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/fedhealth/federation/sagas"
)

// Rows written before codes and sources were stored have them empty (or
// the columns' defaults): the store reads the codes from the English the
// rows keep, and the source as the portal's.
func TestRowsFromBeforeCodesReadWithTheirCodesAndThePortalAsSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "legacy.db")
	db := openSQLite(t, path)
	ctx := context.Background()
	b := newBooking("old")
	b.Reject(sagas.ReasonSlotTaken, false, time.Now())
	if err := db.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE bookings SET reason_code = ''`, // source keeps 'portal', the migration's default for old rows
		`UPDATE booking_timeline SET code = '', source = 'portal'`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Get(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if got.ReasonCode != sagas.CodeSlotTaken || got.Source != sagas.SourcePortal {
		t.Errorf("reason code %q, source %q", got.ReasonCode, got.Source)
	}
	if got.Timeline[0].Code != sagas.CodeRequested || got.Timeline[1].Code != sagas.CodeSlotTaken || got.Timeline[0].Source != sagas.SourcePortal {
		t.Errorf("timeline read back %+v", got.Timeline)
	}
}
