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

// searchParams are the parameters of GET /api/v1/slots.
var searchParams = []string{"region", "specialty", "practitioner", "facility", "from", "to", "limit"}

var (
	errQueryMalformed = bookings.Invalid("The query string is malformed.")
	errQueryUnknown   = bookings.Invalid("The search takes only region, specialty, practitioner, facility, from, to and limit.")
	errQueryRepeated  = bookings.Invalid("Each search parameter may appear once.")
)

// searchQuery reads the search's query string strictly: well-formed, only
// the documented parameters, each at most once (url.Values.Get would take
// the first of several and ignore the rest). The values' own rules are
// the booking service's (bookings.SearchSlots.Query).
func searchQuery(raw string) (bookings.SearchSlots, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return bookings.SearchSlots{}, errQueryMalformed
	}
	for name, values := range v {
		switch {
		case !slices.Contains(searchParams, name):
			return bookings.SearchSlots{}, errQueryUnknown
		case len(values) > 1:
			return bookings.SearchSlots{}, errQueryRepeated
		}
	}
	return bookings.SearchSlots{Region: v.Get("region"), Specialty: v.Get("specialty"), Practitioner: v.Get("practitioner"),
		Facility: v.Get("facility"), From: v.Get("from"), To: v.Get("to"), Limit: v.Get("limit")}, nil
}

// searchSlots answers GET /api/v1/slots. A region that cannot be asked gives
// a 503 problem, never an empty list that would read as "no free slots".
func (s *Server) searchSlots(w http.ResponseWriter, r *http.Request) {
	cmd, err := searchQuery(r.URL.RawQuery)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	found, err := s.cfg.Bookings.SearchSlots(r.Context(), cmd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]slotJSON, len(found))
	for i, sl := range found {
		out[i] = slotJSON{ID: sl.ID, Region: sl.Region, Start: sl.Start, End: sl.End,
			Specialty: sl.Specialty.Code, SpecialtyName: sl.Specialty.Display,
			Practitioner: practitionerJSON{ID: sl.Practitioner.ID, Name: sl.Practitioner.Name},
			Facility:     facilityJSON{ID: sl.Facility.ID, Name: sl.Facility.Name, Address: sl.Facility.Address}}
	}
	writeJSON(w, http.StatusOK, map[string]any{"slots": out})
}
