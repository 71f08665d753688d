package store

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/sagas"
)

// ReconcileBookings returns, in pages by id (after the last id of the
// previous page), the bookings of region that an MIS appointment stands
// for and whose slot ends at or after from: what reconciliation compares
// with the MIS. Feed bookings (an operator, not an MIS, holds their truth)
// are not listed; timelines are not read.
func (s *DB) ReconcileBookings(ctx context.Context, region string, from time.Time, after string, limit int) ([]*sagas.Booking, error) {
	return s.queryBookings(ctx, "bookings to reconcile in region "+region, s.d.Bind(`SELECT `+bookingColumns+` FROM bookings
		WHERE region = ? AND appointment_id <> '' AND saga_kind <> 'operator' AND slot_end >= ? AND id > ?
		ORDER BY id LIMIT ?`), region, nanos(from), after, limit)
}

// TakeReconcileLease makes holder the one reconciling region until now+ttl,
// when no other holder's lease is still running; it reports whether holder
// has it. Holding it already renews it. One statement (an upsert whose
// update only applies to a free or expired lease), so two instances racing
// for it on one database cannot both win, on SQLite or PostgreSQL.
func (s *DB) TakeReconcileLease(ctx context.Context, region, holder string, now time.Time, ttl time.Duration) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.d.Bind(`INSERT INTO reconcile_passes (region, holder, lease_until) VALUES (?, ?, ?)
		ON CONFLICT (region) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
		WHERE reconcile_passes.lease_until < ? OR reconcile_passes.holder = excluded.holder`),
		region, holder, nanos(now.Add(ttl)), nanos(now))
	if err != nil {
		return false, fmt.Errorf("store: reconcile lease of region %s: %w", region, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: reconcile lease of region %s: %w", region, err)
	}
	return n == 1, nil
}

// FinishReconcilePass records p as the region's last pass and frees the
// lease, if holder still has it (a pass that outlived its lease records
// nothing: another may have run since).
func (s *DB) FinishReconcilePass(ctx context.Context, holder string, p sagas.ReconcilePass) error {
	_, err := s.w.ExecContext(ctx, s.d.Bind(`UPDATE reconcile_passes SET lease_until = 0,
		started_at = ?, finished_at = ?, checked = ?, found = ?, repaired = ?, error = ?
		WHERE region = ? AND holder = ?`),
		nanos(p.StartedAt), nanos(p.FinishedAt), p.Checked, p.Found, p.Repaired, p.Error, p.Region, holder)
	if err != nil {
		return fmt.Errorf("store: finish reconcile pass of region %s: %w", p.Region, err)
	}
	return nil
}

// ReconcilePasses returns the last finished pass of every region that had
// one, by region code.
func (s *DB) ReconcilePasses(ctx context.Context) ([]sagas.ReconcilePass, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT region, started_at, finished_at, checked, found, repaired, error
		FROM reconcile_passes WHERE finished_at > 0 ORDER BY region`)
	if err != nil {
		return nil, fmt.Errorf("store: reconcile passes: %w", err)
	}
	defer rows.Close()
	var out []sagas.ReconcilePass
	for rows.Next() {
		var (
			p               sagas.ReconcilePass
			started, finish int64
		)
		if err := rows.Scan(&p.Region, &started, &finish, &p.Checked, &p.Found, &p.Repaired, &p.Error); err != nil {
			return nil, err
		}
		p.StartedAt, p.FinishedAt = fromNanos(started), fromNanos(finish)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ErasePatientsPast erases the sealed identifiers that bookings whose saga
// is done still keep (confirmed in a region read only by patient, for
// reconciliation) once their slot ended before before; it returns how many
// it erased. The version moves on, so an update that loaded the booking
// before cannot write the identifiers back.
func (s *DB) ErasePatientsPast(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.d.Bind(`UPDATE bookings SET patient_sealed = NULL, version = version + 1
		WHERE patient_sealed IS NOT NULL AND step = 'done' AND slot_end < ?`), nanos(before))
	if err != nil {
		return 0, fmt.Errorf("store: erase kept patient identifiers: %w", err)
	}
	return res.RowsAffected()
}
