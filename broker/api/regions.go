package api

import (
	"net/http"
	"regexp"
	"time"

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
	// LastSync and Availability are a feed region's: when its published
	// slots were last read (absent before the first read) and whether
	// they are known ("unknown" while the feed is stale or failing).
	LastSync     *time.Time `json:"last_sync,omitempty"`
	Availability string     `json:"availability,omitempty"`
}

// listRegions answers GET /api/v1/regions with each region's breaker status.
func (s *Server) listRegions(w http.ResponseWriter, _ *http.Request) {
	regs := s.cfg.Bookings.Regions()
	out := make([]regionJSON, len(regs))
	for i, reg := range regs {
		out[i] = regionJSON{Code: reg.Code, Name: reg.Name, TimeZone: reg.TimeZone, Kind: reg.Kind, Status: reg.Status}
		if f := reg.Feed; f != nil {
			out[i].Availability = "unknown"
			if f.Known {
				out[i].Availability = "known"
			}
			if !f.LastSync.IsZero() {
				last := f.LastSync.UTC()
				out[i].LastSync = &last
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

var errBadCitizenID = bookings.Invalid("citizen_id must be 1-64 letters, digits, '.', '_' or '-'")

var citizenIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

var (
	errBadOperator = bookings.Invalid("operator_id must be 1-64 letters, digits, '.', '_', '@' or '-', with a configured region")
	errBadAnalyst  = bookings.Invalid("analyst_id must be 1-64 letters, digits, '.', '_', '@' or '-'")
	errTokenFor    = bookings.Invalid("ask for a token with one of citizen_id, operator_id and region, or analyst_id")
)

// devToken answers POST /api/v1/dev/token in demo mode only: it signs a
// token for any citizen id, or for an operator of any configured region,
// so it must never be mounted in production.
func (s *Server) devToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CitizenID  string `json:"citizen_id"`
		OperatorID string `json:"operator_id"`
		Region     string `json:"region"`
		AnalystID  string `json:"analyst_id"`
	}
	if err := decodeBody(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var token string
	var err error
	switch {
	case req.AnalystID != "" && req.CitizenID == "" && req.OperatorID == "" && req.Region == "":
		if !auth.ValidOperatorID(req.AnalystID) {
			s.writeError(w, r, errBadAnalyst)
			return
		}
		token, err = s.cfg.DevIssuer.IssueAnalyst(req.AnalystID, auth.DevTokenLifetime)
	case req.AnalystID == "" && req.CitizenID != "" && req.OperatorID == "" && req.Region == "":
		if !citizenIDPattern.MatchString(req.CitizenID) {
			s.writeError(w, r, errBadCitizenID)
			return
		}
		token, err = s.cfg.DevIssuer.Issue(req.CitizenID, auth.DevTokenLifetime)
	case req.AnalystID == "" && req.CitizenID == "" && (req.OperatorID != "" || req.Region != ""):
		if !auth.ValidOperatorID(req.OperatorID) || !s.configuredRegion(req.Region) {
			s.writeError(w, r, errBadOperator)
			return
		}
		token, err = s.cfg.DevIssuer.IssueOperator(req.OperatorID, req.Region, auth.DevTokenLifetime)
	default:
		s.writeError(w, r, errTokenFor)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}

func (s *Server) configuredRegion(code string) bool {
	for _, reg := range s.cfg.Bookings.Regions() {
		if reg.Code == code {
			return true
		}
	}
	return false
}
