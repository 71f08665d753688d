// Package analytics owns the ministry analysts' read model: its tables,
// the consumer that feeds them from the booking events topic, and the
// queries behind /api/v1/analytics/, with the small-count suppression
// applied before any figure leaves.
//
// # What is counted
//
// Each contracts.BookingEvent is self-contained for aggregation (saga,
// source, cancelled_by, requested_at, slot_start), so the model keeps no
// booking id, citizen subject, pseudonym or patient identifier: only
// counts by UTC day × region × specialty × Outcome (the base cells), a
// histogram of the booking saga's end-to-end latency (final event −
// request) by day × region, and a histogram of the waiting time to the
// appointment (slot start − request) of confirmed bookings by day ×
// region × specialty, both in fixed buckets (LatencyBounds,
// WaitingBounds), and one of the lead time to the next free slot that
// citizens' searches from today found (contracts.SlotLeadTime samples on
// their own topic, at most one per region × specialty a minute). Days are UTC dates, one calendar for the whole country,
// so a country's day is the sum of its regions' days. An event counts
// on the day of its own time. A clinic's correction (no-show to visited)
// counts as a new event of its outcome. Breaker transitions (fed by the
// registry's status hook; broker/regionstatus keeps only the latest) are
// kept beside them; refused callbacks and feed syncs are read from
// broker/regionstatus, the live conformance probe runs from broker/probes.
// The regional MIS's calls (the registry's call observer) are counted by
// a Recorder in memory, by day × region × operation × outcome in the
// buckets of MISCallBounds, and added to their table every few seconds
// (a crash loses at most the last interval's).
//
// # Deduplication and rebuild
//
// Apply (and ApplyLeadTime) records the event's id (the outbox's random UUID, which names no
// booking) and updates the aggregates in one transaction: a redelivered
// event changes nothing. The consumer reads under the group
// GroupName(namespace+GroupPrefix, generation). Store.Rebuild (the
// "federation analytics rebuild" command) empties the tables the topic
// refills (not the breaker transitions and MIS calls, which no topic
// carries) and starts
// the next generation in one transaction; every consumer notices within
// ConsumerConfig.PollGeneration, joins the new group, which has no
// committed offsets, and re-reads the topic from the earliest offset
// Kafka still retains: the topic's retention (retention.ms) decides how
// far back a rebuild reaches, so keep it as long as the history analysts
// need.
//
// # Small counts
//
// No count from 1 to 9 is shown or exported, and none can be derived:
//
//  1. Primary: a base cell from 1 to MinCount−1 is suppressed (0 is shown).
//  2. Secondary: a margin (requests, cancellation requests, reschedule
//     requests) that equals, bar bookings in flight, the sum of other
//     outcomes of its cell is suppressed when the suppressed parts add up
//     to 1..9.
//  3. Every published count, total and share is computed from the
//     published base cells only: a suppressed cell adds nothing and marks
//     the total "partial". So every published figure is a sum of cells
//     that are 0 or at least MinCount, and so is every difference of two
//     published figures (all regions − all but one, days 1–7 − days 1–6,
//     a total − its shown cells).
//  4. Filters are whole UTC days and whole regions, nothing finer than a
//     base cell, and a cell's suppression depends on that cell alone, never
//     on the filter: every view publishes a cell the same way.
//  5. JSON and CSV render the same Report (Report.WriteCSV): the same
//     figures, suppressed before either is made.
//
// Totals are therefore not rounded: they are exact sums of unsuppressed
// cells (and may undercount, which "partial" says). Percentiles (the upper
// bound of the bucket holding the quantile) are shown only over at least
// MinCount observations. The model is live: a cell that grows from 9 to
// 10 appears, which tells someone who watched it that it was 9 a moment
// before; analysts who need final figures read past days.
//
// # Lag
//
// The consumer's lag is the otel gauge analytics.consumer.lag (events
// not fetched yet) and analytics.consumer.last_event_age, and every
// report carries it in "consumer" (events_behind, last_event_at).
//
// # For charts
//
// A Report is a list of tables in long form, one row per figure (day,
// region, specialty, measure, value), so a chart pivots a table into
// series by day, by region or by measure without reshaping; shares
// (measure "<outcome>_share") and percentiles (p50, p90, p99) are rows
// like the counts.
package analytics
