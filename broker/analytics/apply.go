package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb"
)

// Outcome names what one booking event counts as. Outcomes are stored:
// add new ones, never rename one.
type Outcome string

// The outcomes counted. An event that is none of them (a hold, a release)
// is recorded as processed and counted nowhere.
const (
	Requested           Outcome = "requested"            // a booking request (pending)
	Confirmed           Outcome = "confirmed"            // the booking saga's success
	Rejected            Outcome = "rejected"             // the clinic or operator said no
	Failed              Outcome = "failed"               // deadline passed, MIS unusable, abandoned
	CancelRequested     Outcome = "cancel_requested"     // a citizen asked to cancel
	CancelledByCitizen  Outcome = "cancelled_by_citizen" // cancelled at the citizen's request
	CancelledByClinic   Outcome = "cancelled_by_clinic"  // the clinic cancelled
	CancelledByOperator Outcome = "cancelled_by_operator"
	CancelRefused       Outcome = "cancel_refused"       // the MIS refused a cancellation
	RescheduleRequested Outcome = "reschedule_requested" // a citizen asked to move
	Rescheduled         Outcome = "rescheduled"          // the move was made
	RescheduleFailed    Outcome = "reschedule_failed"    // the move was not made; the old time stands
	MovedByClinic       Outcome = "moved_by_clinic"
	BookedElsewhere     Outcome = "booked_elsewhere" // booked by phone or at the desk, reported by the MIS
	Visited             Outcome = "visited"
	NoShow              Outcome = "no_show"
)

// outcomeOf classifies ev ("" for an event counted nowhere). Events
// written before the optional fields lack Saga and Source: they count by
// status alone, as a booking's.
func outcomeOf(ev contracts.BookingEvent) Outcome {
	switch sagas.Status(ev.Status) {
	case sagas.StatusPending:
		return Requested
	case sagas.StatusRejected:
		return Rejected
	case sagas.StatusFailed:
		return Failed
	case sagas.StatusCancelling:
		return CancelRequested
	case sagas.StatusRescheduling:
		return RescheduleRequested
	case sagas.StatusVisited:
		return Visited
	case sagas.StatusNoShow:
		return NoShow
	case sagas.StatusCancelled:
		switch sagas.CancelledBy(ev.CancelledBy) {
		case sagas.CancelledByClinic:
			return CancelledByClinic
		case sagas.CancelledByOperator:
			return CancelledByOperator
		}
		return CancelledByCitizen
	case sagas.StatusConfirmed:
		return confirmedOutcome(ev)
	}
	return ""
}

// confirmedOutcome tells the many ways a booking stands confirmed apart.
func confirmedOutcome(ev contracts.BookingEvent) Outcome {
	switch ev.Saga {
	case contracts.SagaCancellation:
		return CancelRefused
	case contracts.SagaReschedule:
		if ev.Reason != "" {
			return RescheduleFailed
		}
		return Rescheduled
	case sagas.SagaClinic:
		if ev.RequestedAt != nil && ev.RequestedAt.Equal(ev.At) {
			return BookedElsewhere
		}
		return MovedByClinic
	}
	if sagas.Source(ev.Source) == sagas.SourceClinic {
		return MovedByClinic // a portal booking the clinic moved
	}
	return Confirmed
}

// endsBookingSaga reports whether o is the booking saga's end, whose
// latency the histograms keep.
func endsBookingSaga(o Outcome) bool { return o == Confirmed || o == Rejected || o == Failed }

// Day is the UTC date an event counts on: one calendar for every region,
// so a country-wide day is the sum of the regions' days (a region's local
// midnight would shift each region's cells by its offset).
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Apply counts ev once: in one transaction it records the event id and
// adds to the aggregates, so a redelivered event (the relay and Kafka
// deliver at least once) finds its id and changes nothing. It returns
// ErrGenerationChanged, and counts nothing, when generation is no longer
// the store's (a rebuild began).
func (s *Store) Apply(ctx context.Context, generation int64, ev contracts.BookingEvent) (applied bool, err error) {
	if err := ev.Validate(); err != nil {
		return false, err
	}
	err = s.db.InTx(ctx, func(tx sqldb.Tx) error {
		fresh, err := s.claim(ctx, tx, generation, ev.EventID)
		if err != nil || !fresh {
			return err // a duplicate, when nil
		}
		applied = true
		return s.count(ctx, tx, ev)
	})
	return applied, err
}

// count adds ev to every aggregate it belongs to and advances the state.
func (s *Store) count(ctx context.Context, tx sqldb.Tx, ev contracts.BookingEvent) error {
	day, specialty := Day(ev.At), ev.Specialty
	if o := outcomeOf(ev); o != "" {
		if err := s.add(ctx, tx, `INSERT INTO analytics_outcomes (day, region, specialty, outcome, n) VALUES (?, ?, ?, ?, 1)
			ON CONFLICT (day, region, specialty, outcome) DO UPDATE SET n = analytics_outcomes.n + 1`, day, ev.Region, specialty, string(o)); err != nil {
			return err
		}
		if endsBookingSaga(o) && ev.RequestedAt != nil {
			b := bucketOf(LatencyBounds, ev.At.Sub(*ev.RequestedAt).Seconds())
			if err := s.add(ctx, tx, `INSERT INTO analytics_latency (day, region, bucket, n) VALUES (?, ?, ?, 1)
				ON CONFLICT (day, region, bucket) DO UPDATE SET n = analytics_latency.n + 1`, day, ev.Region, b); err != nil {
				return err
			}
		}
		if o == Confirmed && ev.RequestedAt != nil && ev.SlotStart != nil {
			b := bucketOf(WaitingBounds, ev.SlotStart.Sub(*ev.RequestedAt).Hours())
			if err := s.add(ctx, tx, `INSERT INTO analytics_waiting (day, region, specialty, bucket, n) VALUES (?, ?, ?, ?, 1)
				ON CONFLICT (day, region, specialty, bucket) DO UPDATE SET n = analytics_waiting.n + 1`, day, ev.Region, specialty, b); err != nil {
				return err
			}
		}
	}
	_, err := tx.ExecContext(ctx, s.db.Dialect.Bind(`UPDATE analytics_consumer SET applied = applied + 1,
		last_event_at = CASE WHEN last_event_at < ? THEN ? ELSE last_event_at END WHERE id = 1`), sqldb.Nanos(ev.At), sqldb.Nanos(ev.At))
	if err != nil {
		return fmt.Errorf("analytics: advance state: %w", err)
	}
	return nil
}

func (s *Store) add(ctx context.Context, tx sqldb.Tx, query string, args ...any) error {
	if _, err := tx.ExecContext(ctx, s.db.Dialect.Bind(query), args...); err != nil {
		return fmt.Errorf("analytics: count: %w", err)
	}
	return nil
}
