package bookings

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// SearchSlots is a citizen's slot search, as the citizen typed it: dates
// are YYYY-MM-DD in the region's time zone, empty for the defaults (today,
// and a week from From); Limit is a number up to 1000, empty for 200.
type SearchSlots struct {
	Region       string
	Specialty    string
	Practitioner string
	Facility     string
	From, To     string
	Limit        string
}

// Slot is a free slot as citizens see it; ID names it across regions.
type Slot struct {
	ID, Region   string
	Start, End   time.Time
	Specialty    contracts.Coding
	Practitioner contracts.Practitioner
	Facility     contracts.Facility
}

const (
	maxSearchDays  = 14
	defaultResults = 200
	maxResults     = 1000
)

// SearchSlots asks the region's MIS for free slots. A region that cannot be
// asked is an error wrapping contracts.ErrRegionUnavailable, never an empty
// list that would read as "no free slots".
func (s *Service) SearchSlots(ctx context.Context, cmd SearchSlots) ([]Slot, error) {
	q, err := cmd.Query(s.cfg.Now(), s.location(cmd.Region), s.cfg.SearchHorizonDays)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	mis, err := s.cfg.Regions.MIS(cmd.Region)
	if err != nil {
		return nil, err
	}
	var taken map[string]bool
	if s.kinds[cmd.Region] == contracts.RegionFeed {
		if taken, err = s.taken.of(ctx, cmd.Region); err != nil {
			return nil, err
		}
		// Ask for as many more as are booked, so a page stays full.
		q.Limit = min(q.Limit+len(taken), maxResults)
	}
	found, err := mis.SearchSlots(ctx, q)
	if err != nil {
		return nil, inRegion(cmd.Region, err)
	}
	out := make([]Slot, 0, len(found))
	for _, sl := range found {
		if taken[sl.ID] {
			continue
		}
		if len(out) == limit {
			break
		}
		s.slots.put(cmd.Region, sl)
		out = append(out, toSlot(cmd.Region, sl))
	}
	s.observeLeadTimes(cmd, found, taken)
	s.indexFound(cmd, limit, out)
	return out, nil
}

// observeLeadTimes reports the earliest free slot per specialty of a
// search that starts today and is not narrowed to a practitioner or
// facility: only such a search says how far ahead the region's next free
// slot is.
func (s *Service) observeLeadTimes(cmd SearchSlots, found []contracts.Slot, taken map[string]bool) {
	if s.cfg.LeadTimes == nil || cmd.From != "" || cmd.Practitioner != "" || cmd.Facility != "" {
		return
	}
	earliest := map[string]time.Time{}
	for _, sl := range found {
		if e, ok := earliest[sl.Specialty.Code]; !taken[sl.ID] && (!ok || sl.Start.Before(e)) {
			earliest[sl.Specialty.Code] = sl.Start
		}
	}
	now := s.cfg.Now()
	for specialty, start := range earliest {
		s.cfg.LeadTimes(cmd.Region, specialty, start, now)
	}
}

// filterPattern is what a search filter may be: the shape of the MIS
// contract's ids and codes (FHIR ids, "PractitionerRole/{id}", bare or
// "urn:oid:" OIDs, specialty codes), so nothing else reaches the MIS.
var filterPattern = regexp.MustCompile(`^[A-Za-z0-9._:/-]{1,64}$`)

// Query checks the search as the citizen typed it and returns the query
// for the region's MIS. Dates are calendar dates, compared as dates: up to
// horizonDays after today (now, in the region's time zone loc), to on or
// after from and at most 14 days later; a from before today means today. Every error is an InvalidError
// that says what to fix without quoting the input.
func (cmd SearchSlots) Query(now time.Time, loc *time.Location, horizonDays int) (contracts.SlotQuery, error) {
	if !contracts.ValidRegionCode(cmd.Region) {
		return contracts.SlotQuery{}, Invalid("region is required: a region code such as 77")
	}
	for _, f := range []struct{ name, value string }{
		{"specialty", cmd.Specialty}, {"practitioner", cmd.Practitioner}, {"facility", cmd.Facility},
	} {
		if f.value != "" && !filterPattern.MatchString(f.value) {
			return contracts.SlotQuery{}, Invalid(f.name + " must be an id of 1-64 letters, digits, '.', '_', ':', '/' or '-'")
		}
	}
	from, to, err := searchDates(cmd.From, cmd.To, now.In(loc), horizonDays)
	if err != nil {
		return contracts.SlotQuery{}, err
	}
	limit, err := parseLimit(cmd.Limit)
	if err != nil {
		return contracts.SlotQuery{}, err
	}
	return contracts.SlotQuery{Specialty: cmd.Specialty, PractitionerID: cmd.Practitioner, FacilityID: cmd.Facility,
		From: atMidnight(from, loc), To: atMidnight(to, loc), Limit: limit}, nil
}

// searchDates reads from and to as calendar dates (held as UTC midnights,
// where every day is 24 hours long) and checks them against today.
func searchDates(fromText, toText string, today time.Time, horizonDays int) (from, to time.Time, err error) {
	first := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 0, horizonDays)
	if from, err = parseDate(fromText, first); err != nil {
		return from, to, err
	}
	if from.After(last) {
		return from, to, Invalid(fmt.Sprintf("from must be at most %d days ahead", horizonDays))
	}
	if from.Before(first) {
		// No slot of the past is free, and a caller in another time zone
		// may well think today is yesterday: search from today.
		from = first
	}
	defaultTo := from.AddDate(0, 0, 6)
	if defaultTo.After(last) {
		defaultTo = last // a search near the horizon ends there rather than fail
	}
	if to, err = parseDate(toText, defaultTo); err != nil {
		return from, to, err
	}
	switch {
	case to.Before(from):
		return from, to, Invalid("to must be on or after from and today")
	case to.After(last):
		return from, to, Invalid(fmt.Sprintf("to must be at most %d days ahead", horizonDays))
	case to.Sub(from) > maxSearchDays*24*time.Hour:
		return from, to, Invalid(fmt.Sprintf("to must be at most %d days after from", maxSearchDays))
	}
	return from, to, nil
}

func atMidnight(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
}

func parseLimit(v string) (int, error) {
	if v == "" {
		return defaultResults, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxResults {
		return 0, Invalid(fmt.Sprintf("limit must be a number from 1 to %d", maxResults))
	}
	return n, nil
}

func parseDate(s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, Invalid("dates are YYYY-MM-DD")
	}
	return t, nil
}

// location is the region's time zone; UTC for a region the registry lacks
// (the MIS lookup then reports it unknown).
func (s *Service) location(region string) *time.Location {
	if loc := s.cfg.Regions.Location(region); loc != nil {
		return loc
	}
	return time.UTC
}

// GlobalSlotID names a slot across regions: region code, colon, MIS slot id.
func GlobalSlotID(region, misID string) string { return region + ":" + misID }

// ParseSlotID splits a global slot id into region and MIS slot id.
func ParseSlotID(id string) (region, misID string, err error) {
	region, misID, ok := strings.Cut(id, ":")
	if !ok || !contracts.ValidRegionCode(region) || misID == "" || len(misID) > 128 {
		return "", "", Invalid("slot_id is not of the form REGION:ID")
	}
	return region, misID, nil
}

// indexedSlot is the slot as the slot index describes it, when
// describeSlot answers from it without a read at the MIS (never for a feed
// region).
func (s *Service) indexedSlot(region, misID string) (contracts.Slot, bool) {
	if s.kinds[region] == contracts.RegionFeed {
		return contracts.Slot{}, false
	}
	return s.slots.get(GlobalSlotID(region, misID))
}

// describeSlot describes the slot from the search cache, or asks the MIS.
// A feed region's slot is always read from its feed (an in-memory read),
// so a stale feed refuses it as its search does (ErrRegionUnavailable),
// and a slot a live booking holds is ErrSlotTaken, as the store says.
func (s *Service) describeSlot(ctx context.Context, region, misID string) (contracts.Slot, error) {
	if sl, ok := s.indexedSlot(region, misID); ok {
		return sl, nil
	}
	feed := s.kinds[region] == contracts.RegionFeed
	mis, err := s.cfg.Regions.MIS(region)
	if err != nil {
		return contracts.Slot{}, err
	}
	sl, err := mis.ReadSlot(ctx, misID)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return sl, fmt.Errorf("slot %s in region %s: %w", misID, region, ErrSlotUnknown)
	case err != nil:
		return sl, inRegion(region, err)
	case !sl.Free:
		return sl, fmt.Errorf("slot %s in region %s: %w", misID, region, contracts.ErrSlotTaken)
	}
	if feed {
		taken, err := s.taken.of(ctx, region)
		if err != nil {
			return sl, err
		}
		if taken[misID] {
			return sl, fmt.Errorf("slot %s in region %s is booked: %w", misID, region, contracts.ErrSlotTaken)
		}
	}
	s.slots.put(region, sl)
	return sl, nil
}

func toSlot(region string, sl contracts.Slot) Slot {
	return Slot{ID: GlobalSlotID(region, sl.ID), Region: region, Start: sl.Start, End: sl.End,
		Specialty: sl.Specialty, Practitioner: sl.Practitioner, Facility: sl.Facility}
}
