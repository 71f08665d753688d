package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

// Filter selects records for List; empty fields select everything.
type Filter struct {
	BookingID string
	Actor     string
	// Since keeps records at or after it.
	Since time.Time
	// Limit caps the records returned (the newest are kept); default 1000.
	Limit int
}

// List returns the newest records that match f, oldest first.
func (s *Store) List(ctx context.Context, f Filter) ([]Record, error) {
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	// The WHERE clause is built from fixed fragments only: eight possible
	// texts, so the dialect's cache of query texts stays small.
	var (
		where []string
		args  []any
	)
	if f.BookingID != "" {
		where, args = append(where, "booking_id = ?"), append(args, f.BookingID)
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, sqldb.Nanos(f.Since))
	}
	q := `SELECT seq, ` + recordColumns + ` FROM audit_records`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.db.R.QueryContext(ctx, s.db.Dialect.Bind(q+` ORDER BY seq DESC LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}
