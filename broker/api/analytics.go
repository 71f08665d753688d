package api

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/go-chi/chi/v5"
)

var errAnalyticsQueryUnknown = bookings.Invalid("The analytics take only from, to, region and format, each once.")

// analyticsRoutes mounts the analysts' read-only figures: each handler
// parses the filter and renders what the analytics service returns,
// already suppressed, as JSON or CSV.
func (s *Server) analyticsRoutes(r chi.Router) {
	a := s.cfg.Analytics
	r.Get("/analytics/overview", s.analyticsReport(a.Overview, false))
	r.Get("/analytics/regions/{code}", s.analyticsReport(a.Region, true))
	r.Get("/analytics/waiting-times", s.analyticsReport(a.Waiting, false))
	r.Get("/analytics/cancellations", s.analyticsReport(a.Cancellations, false))
	r.Get("/analytics/no-shows", s.analyticsReport(a.NoShows, false))
	r.Get("/analytics/reschedules", s.analyticsReport(a.Reschedules, false))
}

type analyticsQuery func(context.Context, analytics.Filter) (*analytics.Report, error)

// analyticsReport answers one report; with byPath the region comes from
// the path instead of the query.
func (s *Server) analyticsReport(query analyticsQuery, byPath bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			s.writeError(w, r, errQueryMalformed)
			return
		}
		for name, values := range v {
			if (name != "from" && name != "to" && name != "region" && name != "format") || len(values) > 1 || (byPath && name == "region") {
				s.writeError(w, r, errAnalyticsQueryUnknown)
				return
			}
		}
		region := v.Get("region")
		if byPath {
			region = chi.URLParam(r, "code")
		}
		f, err := s.cfg.Analytics.Filter(v.Get("from"), v.Get("to"), region)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		report, err := query(r.Context(), f)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if wantsCSV(r, v.Get("format")) {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="analytics.csv"`)
			if err := report.WriteCSV(w); err != nil {
				s.logger.Warn("analytics CSV not written", "correlation_id", CorrelationID(r.Context()), "err", err)
			}
			return
		}
		writeJSON(w, http.StatusOK, report)
	}
}

// wantsCSV: ?format=csv, or an Accept that names text/csv.
func wantsCSV(r *http.Request, format string) bool {
	if format != "" {
		return format == "csv"
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/csv" {
			return true
		}
	}
	return false
}
