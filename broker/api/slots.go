package api

import (
	"net/http"
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

// searchSlots answers GET /api/v1/slots. A region that cannot be asked gives
// a 503 problem, never an empty list that would read as "no free slots".
func (s *Server) searchSlots(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	found, err := s.cfg.Bookings.SearchSlots(r.Context(), bookings.SearchSlots{
		Region: v.Get("region"), Specialty: v.Get("specialty"), Practitioner: v.Get("practitioner"),
		Facility: v.Get("facility"), From: v.Get("from"), To: v.Get("to"), Limit: v.Get("limit"),
	})
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
