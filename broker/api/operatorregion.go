package api

import (
	"context"
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/regionstatus"
)

var errRegionQuery = bookings.Invalid("The region view takes no query parameters: it is the operator's own region.")

// RegionHealth is what the operators' region view reads of
// broker/regionstatus (a *regionstatus.Store): the status callbacks the
// broker refused, counted per region and reason over every instance.
type RegionHealth interface {
	CallbackRejections(ctx context.Context) ([]regionstatus.CallbackRejections, error)
	// RecentCallbackRejections counts region's refusals by reason in the
	// last 24 hours (by whole hours).
	RecentCallbackRejections(ctx context.Context, region string, now time.Time) (map[string]int64, error)
}

// refusedReasonJSON is one reason's count of refused callbacks.
type refusedReasonJSON struct {
	Reason  string    `json:"reason"`
	Count   int64     `json:"count"`
	Last24h int64     `json:"last_24h"`
	LastAt  time.Time `json:"last_at"`
}

// refusedCallbacksJSON is a region's refused status callbacks: totals
// since the shared database began and in the last 24 hours (counted by
// the hour), with the last refusal's time, overall and per reason.
type refusedCallbacksJSON struct {
	Total    int64               `json:"total"`
	Last24h  int64               `json:"last_24h"`
	LastAt   *time.Time          `json:"last_at,omitempty"`
	ByReason []refusedReasonJSON `json:"by_reason"`
}

// operatorRegionJSON answers GET /api/v1/operator/region: the integration
// state of the operator's own region, as far as the broker knows it.
type operatorRegionJSON struct {
	Region           string               `json:"region"`
	RefusedCallbacks refusedCallbacksJSON `json:"refused_callbacks"`
}

// readOperatorRegion answers GET /api/v1/operator/region for the calling
// operator's region only: the token names the region, so there is nothing
// to ask for and no other region to see.
func (s *Server) readOperatorRegion(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		s.writeError(w, r, errRegionQuery)
		return
	}
	region := operator(r).Region
	out := operatorRegionJSON{Region: region, RefusedCallbacks: refusedCallbacksJSON{ByReason: []refusedReasonJSON{}}}
	if s.cfg.RegionHealth != nil {
		all, err := s.cfg.RegionHealth.CallbackRejections(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		recent, err := s.cfg.RegionHealth.RecentCallbackRejections(r.Context(), region, time.Now())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out.RefusedCallbacks = refusedOf(region, all, recent)
	}
	writeJSON(w, http.StatusOK, out)
}

// refusedOf keeps region's rows of all (sorted by region, then reason),
// each with its count of the last 24 hours from recent.
func refusedOf(region string, all []regionstatus.CallbackRejections, recent map[string]int64) refusedCallbacksJSON {
	out := refusedCallbacksJSON{ByReason: []refusedReasonJSON{}}
	for _, rj := range all {
		if rj.Region != region {
			continue
		}
		out.Total += rj.Count
		out.Last24h += recent[rj.Reason]
		out.ByReason = append(out.ByReason, refusedReasonJSON{Reason: rj.Reason, Count: rj.Count, Last24h: recent[rj.Reason], LastAt: rj.LastAt.UTC()})
		if out.LastAt == nil || rj.LastAt.After(*out.LastAt) {
			last := rj.LastAt.UTC()
			out.LastAt = &last
		}
	}
	return out
}
