package feed

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// Search limits, the reference simulator's (regions/missim): a query
// without a limit gets defaultLimit slots, none gets more than maxLimit.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// SearchSlots lists the free slots of the data set in force that match q,
// ordered by start time, with times in the region's location. It has the
// filters and limits of the real-time client (regions/fhir): From and To
// are calendar dates in the region's zone, To inclusive. A slot is free
// when the feed says so and it has not started (the broker subtracts the
// slots its bookings hold).
//
// While availability is unknown it answers ErrRegionUnavailable rather
// than offer slots that may have gone long ago: the data set stays, and
// the next successful sync (a 304 included) offers it again.
func (s *Source) SearchSlots(_ context.Context, q contracts.SlotQuery) ([]contracts.Slot, error) {
	const op = "search_slots"
	from, till, limit, err := s.window(q)
	if err != nil {
		return nil, fmt.Errorf("%s in region %s: %w", op, s.cfg.Region.Code, err)
	}
	now := s.cfg.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.availability(now) == AvailabilityUnknown {
		return nil, s.unknownError(op)
	}
	order := s.snap.order
	i := sort.Search(len(order), func(i int) bool { return !order[i].slot.Start.Before(from) })
	out := []contracts.Slot{}
	for _, e := range order[i:] {
		if len(out) == limit || (!till.IsZero() && !e.slot.Start.Before(till)) {
			break
		}
		if s.offered(e, now) && matches(e, q) {
			out = append(out, e.slot)
		}
	}
	return out, nil
}

func (s *Source) unknownError(op string) error {
	if s.state.lastSync.IsZero() {
		return fmt.Errorf("%s in region %s: the slot feed has never been read: %w", op, s.cfg.Region.Code, contracts.ErrRegionUnavailable)
	}
	return fmt.Errorf("%s in region %s: availability unknown, the slot feed was last read at %s: %w",
		op, s.cfg.Region.Code, s.state.lastSync.In(s.loc).Format(time.RFC3339), contracts.ErrRegionUnavailable)
}

// window turns q's dates into [from, till) instants in the region's zone
// (zero is open) and its limit into a count. Dates are taken in the
// region's location, as regions/fhir does, so time.Now() names the
// region's today.
func (s *Source) window(q contracts.SlotQuery) (from, till time.Time, limit int, err error) {
	if q.Limit < 0 {
		return from, till, 0, fmt.Errorf("negative limit: %w", contracts.ErrInvalid)
	}
	if !q.From.IsZero() {
		from = s.midnight(q.From)
	}
	if !q.To.IsZero() {
		till = s.midnight(q.To).AddDate(0, 0, 1)
	}
	if !from.IsZero() && !till.IsZero() && !till.After(from) {
		return from, till, 0, fmt.Errorf("date range ends before it starts: %w", contracts.ErrInvalid)
	}
	limit = defaultLimit
	if q.Limit > 0 {
		limit = min(q.Limit, maxLimit)
	}
	return from, till, limit, nil
}

func (s *Source) midnight(t time.Time) time.Time {
	t = t.In(s.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, s.loc)
}

// matches applies q's specialty, practitioner and facility filters; each
// accepts the forms the FHIR search parameters do ("system|code",
// "PractitionerRole/PR-1", "urn:oid:1.2…").
func matches(e *entry, q contracts.SlotQuery) bool {
	if q.Specialty != "" && !contains(e.specialties, refID(q.Specialty, "")) {
		return false
	}
	if q.PractitionerID != "" && refID(q.PractitionerID, "") != e.slot.Practitioner.ID {
		return false
	}
	if q.FacilityID != "" && !contains(e.facilityIDs, refID(strings.TrimPrefix(q.FacilityID, "urn:oid:"), "")) {
		return false
	}
	return true
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// ReadSlot returns one slot of the data set in force, free or not, as
// SearchSlots judges freedom; ErrNotFound when the feed has none with that
// id. While availability is unknown it answers ErrRegionUnavailable, as
// SearchSlots does: a slot read to be booked must not come from a feed
// that may have given it away long ago (a booking keeps its own copy of
// the slot, so nothing already booked needs this read).
func (s *Source) ReadSlot(_ context.Context, slotID string) (contracts.Slot, error) {
	const op = "read_slot"
	e, err := s.lookup(op, slotID)
	if err != nil {
		return contracts.Slot{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.availability(s.cfg.Now()) == AvailabilityUnknown {
		return contracts.Slot{}, s.unknownError(op)
	}
	sl := e.slot
	sl.Free = s.offered(e, s.cfg.Now())
	return sl, nil
}
