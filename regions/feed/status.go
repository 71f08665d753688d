package feed

import "time"

// Availability is what the broker can say about a feed region's slots.
type Availability string

// Availability values, as GET /api/v1/regions shows them.
const (
	// AvailabilityKnown: the last successful sync is within Config.StaleAfter.
	AvailabilityKnown Availability = "known"
	// AvailabilityUnknown: no successful sync yet, or the last one is older
	// than Config.StaleAfter (the publisher is stale or failing).
	AvailabilityUnknown Availability = "unknown"
)

// Status is the state of one source, for operators and the regions list.
type Status struct {
	Availability Availability
	// LastSync is the time of the last successful sync (a 304 included);
	// zero before the first.
	LastSync time.Time
	// Published is the transactionTime of the manifest in force.
	Published time.Time
	// LastAttempt, LastOutcome and LastError describe the latest poll;
	// LastError is empty when it succeeded.
	LastAttempt time.Time
	LastOutcome string
	LastError   string
	// RefusedManifests counts polls whose manifest listed a file off the
	// feed's origin.
	RefusedManifests int64
	// Locations, Schedules and Slots count the data set in force;
	// FreeSlots are those the feed offers now (free, not started), as the
	// feed sees them: the slots booked through the broker are the store's
	// to subtract (the broker's search does), so a booked slot the feed
	// still says is free counts here.
	Locations, Schedules, Slots, FreeSlots int
	// Skipped counts the lines and resources of the data set in force that
	// were skipped, by reason (SkipMalformed, SkipTooLong, ...).
	Skipped map[string]int
	// OffsetMismatches counts slots refused for their UTC offset.
	OffsetMismatches SlotOffsetReport
}

// Availability is "known" while the last successful sync is younger than
// Config.StaleAfter. A failing publisher needs no second rule: its
// failures began after its last success, so they turn it unknown exactly
// when they have lasted past the bound.
func (s *Source) Availability() Availability {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.availability(s.cfg.Now())
}

func (s *Source) availability(now time.Time) Availability {
	if s.state.lastSync.IsZero() || now.Sub(s.state.lastSync) > s.cfg.StaleAfter {
		return AvailabilityUnknown
	}
	return AvailabilityKnown
}

// LastSync returns the time of the last successful sync, zero before the first.
func (s *Source) LastSync() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.state.lastSync
}

// Status returns the source's state. It is safe for concurrent use.
func (s *Source) Status() Status {
	now := s.cfg.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Status{
		Availability: s.availability(now), LastSync: s.state.lastSync,
		LastAttempt: s.state.lastAttempt, LastOutcome: s.state.lastOutcome, LastError: s.state.lastErr,
		RefusedManifests: s.state.refused, Skipped: map[string]int{}, OffsetMismatches: s.offsets.Report(),
	}
	if s.snap == nil {
		return st
	}
	st.Published, st.Locations, st.Schedules, st.Slots = s.snap.published, s.snap.locations, s.snap.schedules, len(s.snap.order)
	for reason, n := range s.snap.skipped {
		st.Skipped[reason] = n
	}
	for _, e := range s.snap.order {
		if s.offered(e, now) {
			st.FreeSlots++
		}
	}
	return st
}

// offered reports whether e may be offered at now; s.mu is held.
func (s *Source) offered(e *entry, now time.Time) bool {
	return e.slot.Free && e.slot.Start.After(now)
}
