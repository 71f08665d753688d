package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

// where is the filter as SQL over a table with day and region columns.
func (s *Store) where(f Filter) (string, []any) {
	q, args := ` WHERE day >= ? AND day <= ?`, []any{f.From, f.To}
	if f.Region != "" {
		q, args = q+` AND region = ?`, append(args, f.Region)
	}
	return s.db.Dialect.Bind(q), args
}

// cells reads the raw base cells the filter covers, before suppression.
func (s *Store) cells(ctx context.Context, f Filter) (map[cellKey]int64, error) {
	w, args := s.where(f)
	rows, err := s.db.R.QueryContext(ctx, `SELECT day, region, specialty, outcome, n FROM analytics_outcomes`+w, args...)
	if err != nil {
		return nil, sqldb.Classify(fmt.Errorf("analytics: read outcomes: %w", err))
	}
	defer rows.Close()
	out := map[cellKey]int64{}
	for rows.Next() {
		var (
			k cellKey
			n int64
		)
		if err := rows.Scan(&k.day, &k.region, &k.specialty, &k.outcome, &n); err != nil {
			return nil, fmt.Errorf("analytics: read outcomes: %w", err)
		}
		out[k] = n
	}
	return out, rows.Err()
}

// histKey names a histogram's row; specialty is empty for latency.
type histKey struct{ day, region, specialty string }

// The histogram tables, with the specialty column each has.
const (
	latencyTable   = `SELECT day, region, '', bucket, n FROM analytics_latency`
	waitingTable   = `SELECT day, region, specialty, bucket, n FROM analytics_waiting`
	leadTimesTable = `SELECT day, region, specialty, bucket, n FROM analytics_lead_times`
)

// histograms reads one of the histogram tables.
func (s *Store) histograms(ctx context.Context, f Filter, table string) (map[histKey]histogram, error) {
	w, args := s.where(f)
	q := table + w
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqldb.Classify(fmt.Errorf("analytics: read histograms: %w", err))
	}
	defer rows.Close()
	out := map[histKey]histogram{}
	for rows.Next() {
		var (
			k         histKey
			bucket, n int64
		)
		if err := rows.Scan(&k.day, &k.region, &k.specialty, &bucket, &n); err != nil {
			return nil, fmt.Errorf("analytics: read histograms: %w", err)
		}
		if out[k] == nil {
			out[k] = histogram{}
		}
		out[k][int(bucket)] += n
	}
	return out, rows.Err()
}

// Transition is one recorded breaker transition.
type Transition struct {
	Status string
	At     time.Time
}

// Transitions reads region's breaker transitions in the filter's days,
// oldest first.
func (s *Store) Transitions(ctx context.Context, region string, f Filter) ([]Transition, error) {
	from, to, err := dayRange(f)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, s.db.Dialect.Bind(`SELECT status, at FROM analytics_breaker_transitions
		WHERE region = ? AND at >= ? AND at < ? ORDER BY at`), region, sqldb.Nanos(from), sqldb.Nanos(to))
	if err != nil {
		return nil, sqldb.Classify(fmt.Errorf("analytics: read transitions: %w", err))
	}
	defer rows.Close()
	var out []Transition
	for rows.Next() {
		var (
			t  Transition
			at int64
		)
		if err := rows.Scan(&t.Status, &at); err != nil {
			return nil, fmt.Errorf("analytics: read transitions: %w", err)
		}
		t.At = sqldb.FromNanos(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// dayRange is the filter's days as a half-open time range.
func dayRange(f Filter) (from, to time.Time, err error) {
	if from, err = time.Parse(time.DateOnly, f.From); err == nil {
		to, err = time.Parse(time.DateOnly, f.To)
	}
	if err != nil {
		return time.Time{}, time.Time{}, invalid("the filter's days must be dates, YYYY-MM-DD.")
	}
	return from, to.AddDate(0, 0, 1), nil
}
