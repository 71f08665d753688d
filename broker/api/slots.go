package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
)

type slotJSON struct {
	ID            string           `json:"id"`
	Region        string           `json:"region"`
	Start         time.Time        `json:"start"`
	End           time.Time        `json:"end"`
	Specialty     string           `json:"specialty"`
	SpecialtyName string           `json:"specialty_name,omitempty"`
	Practitioner  practitionerJSON `json:"practitioner"`
	Facility      facilityJSON     `json:"facility"`
}

type practitionerJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type facilityJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address"`
}

// globalSlotID names a slot across regions: region code, colon, MIS slot id.
func globalSlotID(region, misID string) string { return region + ":" + misID }

func parseSlotID(id string) (region, misID string, err error) {
	region, misID, ok := strings.Cut(id, ":")
	if !ok || !contracts.ValidRegionCode(region) || misID == "" || len(misID) > 128 {
		return "", "", fmt.Errorf("slot_id %q is not of the form REGION:ID: %w", id, contracts.ErrInvalid)
	}
	return region, misID, nil
}

const (
	maxSearchDays  = 14
	defaultResults = 200
	maxResults     = 1000
)

// searchSlots answers GET /api/v1/slots. A region that cannot be asked gives
// a 503 problem, never an empty list that would read as "no free slots".
func (s *Server) searchSlots(w http.ResponseWriter, r *http.Request) {
	q, region, err := s.parseSlotQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	mis, err := s.cfg.Regions.MIS(region)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	found, err := mis.SearchSlots(r.Context(), q)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("region %s: %w", region, err))
		return
	}
	out := make([]slotJSON, 0, len(found))
	for _, sl := range found {
		s.slots.put(region, sl)
		out = append(out, toSlotJSON(region, sl))
	}
	writeJSON(w, http.StatusOK, map[string]any{"slots": out})
}

func (s *Server) parseSlotQuery(r *http.Request) (contracts.SlotQuery, string, error) {
	v := r.URL.Query()
	region := v.Get("region")
	if !contracts.ValidRegionCode(region) {
		return contracts.SlotQuery{}, "", fmt.Errorf("query parameter region is required (a region code such as 77): %w", contracts.ErrInvalid)
	}
	loc := s.location(region)
	today := s.cfg.Now().In(loc)
	from, err := parseDate(v.Get("from"), time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc), loc)
	if err != nil {
		return contracts.SlotQuery{}, "", err
	}
	to, err := parseDate(v.Get("to"), from.AddDate(0, 0, 6), loc)
	if err != nil {
		return contracts.SlotQuery{}, "", err
	}
	if to.Before(from) || to.Sub(from) > maxSearchDays*24*time.Hour {
		return contracts.SlotQuery{}, "", fmt.Errorf("to must be on or after from and at most %d days later: %w", maxSearchDays, contracts.ErrInvalid)
	}
	limit := defaultResults
	if l := v.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > maxResults {
			return contracts.SlotQuery{}, "", fmt.Errorf("limit must be 1..%d: %w", maxResults, contracts.ErrInvalid)
		}
	}
	return contracts.SlotQuery{Specialty: v.Get("specialty"), PractitionerID: v.Get("practitioner"),
		FacilityID: v.Get("facility"), From: from, To: to, Limit: limit}, region, nil
}

func parseDate(s string, def time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is not YYYY-MM-DD: %w", s, contracts.ErrInvalid)
	}
	return t, nil
}

// location is the region's time zone; UTC for a region the registry lacks
// (the MIS lookup then reports it unknown).
func (s *Server) location(region string) *time.Location {
	if loc := s.cfg.Regions.Location(region); loc != nil {
		return loc
	}
	return time.UTC
}

func toSlotJSON(region string, sl contracts.Slot) slotJSON {
	return slotJSON{
		ID: globalSlotID(region, sl.ID), Region: region, Start: sl.Start, End: sl.End,
		Specialty: sl.Specialty.Code, SpecialtyName: sl.Specialty.Display,
		Practitioner: practitionerJSON{ID: sl.Practitioner.ID, Name: sl.Practitioner.Name},
		Facility:     facilityJSON{ID: sl.Facility.ID, Name: sl.Facility.Name, Address: sl.Facility.Address},
	}
}
