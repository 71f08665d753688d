package api

import (
	"net/http"
	"regexp"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/contracts"
)

type regionJSON struct {
	Code     string                 `json:"code"`
	Name     string                 `json:"name"`
	TimeZone string                 `json:"timezone"`
	Kind     contracts.RegionKind   `json:"kind"`
	Status   contracts.RegionStatus `json:"status"`
}

// listRegions answers GET /api/v1/regions with each region's breaker status.
func (s *Server) listRegions(w http.ResponseWriter, _ *http.Request) {
	regs := s.cfg.Bookings.Regions()
	out := make([]regionJSON, len(regs))
	for i, reg := range regs {
		out[i] = regionJSON{Code: reg.Code, Name: reg.Name, TimeZone: reg.TimeZone, Kind: reg.Kind, Status: reg.Status}
	}
	writeJSON(w, http.StatusOK, out)
}

var errBadCitizenID = bookings.Invalid("citizen_id must be 1-64 letters, digits, '.', '_' or '-'")

var citizenIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// devToken answers POST /api/v1/dev/token in demo mode only: it signs a
// token for any citizen id, so it must never be mounted in production.
func (s *Server) devToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CitizenID string `json:"citizen_id"`
	}
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !citizenIDPattern.MatchString(req.CitizenID) {
		s.writeError(w, r, errBadCitizenID)
		return
	}
	token, err := s.cfg.DevIssuer.Issue(req.CitizenID, auth.DevTokenLifetime)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}
