package api

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fedhealth/federation/broker/bookings"
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

// searchParams are the parameters of GET /api/v1/slots; cursor only
// without region (the search across regions).
var searchParams = []string{"region", "specialty", "practitioner", "facility", "from", "to", "limit", "cursor"}

var (
	errQueryMalformed = bookings.Invalid("The query string is malformed.")
	errQueryUnknown   = bookings.Invalid("The search takes only region, specialty, practitioner, facility, from, to, limit and cursor.")
	errQueryRepeated  = bookings.Invalid("Each search parameter may appear once.")
	errNotEverywhere  = bookings.Invalid("Without a region the search takes only specialty, limit and cursor: practitioner, facility and dates need a region.")
	errCursorInRegion = bookings.Invalid("cursor pages the search across regions: leave out region, or page one region with from and limit.")
)

// searchQuery reads the search's query string strictly: well-formed, only
// the documented parameters, each at most once (url.Values.Get would take
// the first of several and ignore the rest). The values' own rules are
// the booking service's (bookings.SearchSlots.Query).
func searchQuery(raw string) (url.Values, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, errQueryMalformed
	}
	for name, values := range v {
		switch {
		case !slices.Contains(searchParams, name):
			return nil, errQueryUnknown
		case len(values) > 1:
			return nil, errQueryRepeated
		}
	}
	everywhere := !v.Has("region")
	switch {
	case everywhere && (v.Has("practitioner") || v.Has("facility") || v.Has("from") || v.Has("to")):
		return nil, errNotEverywhere
	case !everywhere && v.Has("cursor"):
		return nil, errCursorInRegion
	}
	return v, nil
}

func regionSearch(v url.Values) bookings.SearchSlots {
	return bookings.SearchSlots{Region: v.Get("region"), Specialty: v.Get("specialty"), Practitioner: v.Get("practitioner"),
		Facility: v.Get("facility"), From: v.Get("from"), To: v.Get("to"), Limit: v.Get("limit")}
}

// regionFreshnessJSON is how current a region's part of a search across
// regions is.
type regionFreshnessJSON struct {
	Code       string `json:"code"`
	AgeSeconds int64  `json:"age_seconds"`
	Status     string `json:"status"`
}

// searchSlots answers GET /api/v1/slots. A region that cannot be asked gives
// a 503 problem, never an empty list that would read as "no free slots";
// without a region, the answer across regions says of each region whether
// its part is fresh, stale or unavailable.
func (s *Server) searchSlots(w http.ResponseWriter, r *http.Request) {
	v, err := searchQuery(r.URL.RawQuery)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !v.Has("region") {
		s.searchEverywhere(w, r, bookings.SearchEverywhere{Specialty: v.Get("specialty"), Limit: v.Get("limit"), Cursor: v.Get("cursor")})
		return
	}
	found, err := s.cfg.Bookings.SearchSlots(r.Context(), regionSearch(v))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"slots": slotsJSON(found)})
}

func (s *Server) searchEverywhere(w http.ResponseWriter, r *http.Request, cmd bookings.SearchEverywhere) {
	page, err := s.cfg.Bookings.SearchAllRegions(r.Context(), cmd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	regions := make([]regionFreshnessJSON, len(page.Regions))
	for i, f := range page.Regions {
		regions[i] = regionFreshnessJSON{Code: f.Code, AgeSeconds: int64(f.Age.Seconds()), Status: f.Status}
	}
	out := map[string]any{"slots": slotsJSON(page.Slots), "regions": regions}
	if page.Next != "" {
		out["next_cursor"] = page.Next
	}
	writeJSON(w, http.StatusOK, out)
}

func slotsJSON(found []bookings.Slot) []slotJSON {
	out := make([]slotJSON, len(found))
	for i, sl := range found {
		out[i] = slotJSON{ID: sl.ID, Region: sl.Region, Start: sl.Start, End: sl.End,
			Specialty: sl.Specialty.Code, SpecialtyName: sl.Specialty.Display,
			Practitioner: practitionerJSON{ID: sl.Practitioner.ID, Name: sl.Practitioner.Name},
			Facility:     facilityJSON{ID: sl.Facility.ID, Name: sl.Facility.Name, Address: sl.Facility.Address}}
	}
	return out
}
