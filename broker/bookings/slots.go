package bookings

import (
	"context"
	"errors"
	"fmt"
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
	q, err := s.slotQuery(cmd)
	if err != nil {
		return nil, err
	}
	mis, err := s.cfg.Regions.MIS(cmd.Region)
	if err != nil {
		return nil, err
	}
	found, err := mis.SearchSlots(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("region %s: %w", cmd.Region, err)
	}
	out := make([]Slot, len(found))
	for i, sl := range found {
		s.slots.put(cmd.Region, sl)
		out[i] = toSlot(cmd.Region, sl)
	}
	return out, nil
}

func (s *Service) slotQuery(cmd SearchSlots) (contracts.SlotQuery, error) {
	if !contracts.ValidRegionCode(cmd.Region) {
		return contracts.SlotQuery{}, fmt.Errorf("region is required (a region code such as 77): %w", contracts.ErrInvalid)
	}
	loc := s.location(cmd.Region)
	today := s.cfg.Now().In(loc)
	from, err := parseDate(cmd.From, time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc), loc)
	if err != nil {
		return contracts.SlotQuery{}, err
	}
	to, err := parseDate(cmd.To, from.AddDate(0, 0, 6), loc)
	if err != nil {
		return contracts.SlotQuery{}, err
	}
	if to.Before(from) || to.Sub(from) > maxSearchDays*24*time.Hour {
		return contracts.SlotQuery{}, fmt.Errorf("to must be on or after from and at most %d days later: %w", maxSearchDays, contracts.ErrInvalid)
	}
	limit, err := parseLimit(cmd.Limit)
	if err != nil {
		return contracts.SlotQuery{}, err
	}
	return contracts.SlotQuery{Specialty: cmd.Specialty, PractitionerID: cmd.Practitioner,
		FacilityID: cmd.Facility, From: from, To: to, Limit: limit}, nil
}

func parseLimit(v string) (int, error) {
	if v == "" {
		return defaultResults, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxResults {
		return 0, fmt.Errorf("limit must be 1..%d: %w", maxResults, contracts.ErrInvalid)
	}
	return n, nil
}

func parseDate(s string, def time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("dates are YYYY-MM-DD: %w", contracts.ErrInvalid)
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
		return "", "", fmt.Errorf("slot_id is not of the form REGION:ID: %w", contracts.ErrInvalid)
	}
	return region, misID, nil
}

// describeSlot describes the slot from the search cache, or asks the MIS.
func (s *Service) describeSlot(ctx context.Context, region, misID string) (contracts.Slot, error) {
	if sl, ok := s.slots.get(GlobalSlotID(region, misID)); ok {
		return sl, nil
	}
	mis, err := s.cfg.Regions.MIS(region)
	if err != nil {
		return contracts.Slot{}, err
	}
	sl, err := mis.ReadSlot(ctx, misID)
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return sl, fmt.Errorf("slot %s in region %s: %w", misID, region, ErrSlotUnknown)
	case err != nil:
		return sl, fmt.Errorf("region %s: %w", region, err)
	case !sl.Free:
		return sl, fmt.Errorf("slot %s in region %s: %w", misID, region, contracts.ErrSlotTaken)
	}
	s.slots.put(region, sl)
	return sl, nil
}

func toSlot(region string, sl contracts.Slot) Slot {
	return Slot{ID: GlobalSlotID(region, sl.ID), Region: region, Start: sl.Start, End: sl.End,
		Specialty: sl.Specialty, Practitioner: sl.Practitioner, Facility: sl.Facility}
}
