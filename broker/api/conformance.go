package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/contracts"
	"github.com/go-chi/chi/v5"
)

// maxProbeHistory caps ?history=N: a day of runs at one a minute (the
// demo's pace); analysts' longer views come from the read model.
const maxProbeHistory = 1440

var (
	// errRegionNotYours: an operator asked for another region's results.
	errRegionNotYours   = contracts.NewError(contracts.KindInvalid, "the operator's token is for another region")
	errConformanceQuery = bookings.Invalid("The conformance results take only history, once: a whole number from 1 to 1440.")
)

// requirementJSON is one requirement's latest probe result.
type requirementJSON struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Required  bool      `json:"required"`
	Status    string    `json:"status"`
	Evidence  string    `json:"evidence,omitempty"`
	Duration  float64   `json:"duration_seconds"`
	CheckedAt time.Time `json:"checked_at"`
}

// probeRunJSON is one probe run's summary.
type probeRunJSON struct {
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished"`
	Passed    int       `json:"passed"`
	Failed    int       `json:"failed"`
	Skipped   int       `json:"skipped"`
	FailedIDs []string  `json:"failed_ids"`
	Error     string    `json:"error,omitempty"`
}

// conformanceJSON answers GET /api/v1/regions/{code}/conformance.
type conformanceJSON struct {
	Region       string            `json:"region"`
	Requirements []requirementJSON `json:"requirements"`
	LastRun      *probeRunJSON     `json:"last_run"`
	History      []probeRunJSON    `json:"history,omitempty"`
}

// mayReadConformance lets analysts read every region's probe results and
// a region's operators their own region's: another region's operator is
// refused (403), so are citizens (wrong-role).
func (s *Server) mayReadConformance(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch auth.RoleFrom(r.Context()) {
		case auth.RoleAnalyst:
		case auth.RoleOperator:
			if operator(r).Region != chi.URLParam(r, "code") {
				s.writeError(w, r, errRegionNotYours)
				return
			}
		default:
			s.writeError(w, r, auth.ErrWrongRole)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// readConformance answers GET /api/v1/regions/{code}/conformance: the
// latest live probe result of each requirement, the last run and, with
// ?history=N, the last N runs.
func (s *Server) readConformance(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	history, err := historyQuery(r.URL.RawQuery)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.configuredRegion(code) || s.cfg.Conformance == nil {
		s.writeError(w, r, contracts.ErrNotFound)
		return
	}
	latest, err := s.cfg.Conformance.Latest(r.Context(), code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	runs, err := s.cfg.Conformance.Runs(r.Context(), code, max(history, 1))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := conformanceJSON{Region: code, Requirements: make([]requirementJSON, len(latest))}
	for i, res := range latest {
		out.Requirements[i] = requirementJSON{ID: res.Requirement, Title: res.Title, Required: res.Required,
			Status: string(res.Status), Evidence: res.Evidence, Duration: res.Duration.Seconds(), CheckedAt: res.CheckedAt}
	}
	if len(runs) > 0 {
		last := toProbeRunJSON(runs[0])
		out.LastRun = &last
	}
	if history > 0 {
		out.History = make([]probeRunJSON, len(runs))
		for i, run := range runs {
			out.History[i] = toProbeRunJSON(run)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func toProbeRunJSON(r probes.Run) probeRunJSON {
	ids := r.FailedIDs
	if ids == nil {
		ids = []string{}
	}
	return probeRunJSON{Started: r.Started, Finished: r.Finished, Passed: r.Passed, Failed: r.Failed, Skipped: r.Skipped,
		FailedIDs: ids, Error: r.Error}
}

// historyQuery reads the conformance query strictly: nothing but an
// optional history=N.
func historyQuery(raw string) (int, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return 0, errQueryMalformed
	}
	for name, values := range v {
		if name != "history" || len(values) > 1 {
			return 0, errConformanceQuery
		}
	}
	h := v.Get("history")
	if h == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(h)
	if err != nil || n < 1 || n > maxProbeHistory {
		return 0, errConformanceQuery
	}
	return n, nil
}
