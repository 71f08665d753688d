package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
)

// dashboard is one of the analysts' pages: its path, its title and the
// query of broker/analytics it shows.
type dashboard struct {
	page, path, titleKey string
	query                func(*analytics.Service) func(context.Context, analytics.Filter) (*analytics.Report, error)
	byPath               bool // the region is the path's {code}, not a filter
}

var dashboards = []dashboard{
	{"overview", "/analytics", "a.overview", func(a *analytics.Service) analyticsQuery { return a.Overview }, false},
	{"region", "/analytics/regions/{code}", "a.region", func(a *analytics.Service) analyticsQuery { return a.Region }, true},
	{"waiting", "/analytics/waiting-times", "a.waiting", func(a *analytics.Service) analyticsQuery { return a.Waiting }, false},
	{"cancellations", "/analytics/cancellations", "a.cancellations", func(a *analytics.Service) analyticsQuery { return a.Cancellations }, false},
	{"noshows", "/analytics/no-shows", "a.noshows", func(a *analytics.Service) analyticsQuery { return a.NoShows }, false},
	{"reschedules", "/analytics/reschedules", "a.reschedules", func(a *analytics.Service) analyticsQuery { return a.Reschedules }, false},
}

type analyticsQuery = func(context.Context, analytics.Filter) (*analytics.Report, error)

var (
	errBadFormat     = bookings.Invalid("format must be csv or json, or absent for the page")
	errUnknownRegion = bookings.Invalid("region must be one of the configured regions")
)

// analyticsRoutes mounts the dashboards; each page also answers its
// figures as CSV (?format=csv) and JSON (?format=json), with the page's
// filters: the very report the page shows.
func (s *Server) analyticsRoutes(m *http.ServeMux) {
	for _, d := range dashboards {
		m.HandleFunc("GET "+d.path, s.analyst(s.dashboard(d)))
	}
	m.HandleFunc("GET /analytics/{$}", s.analyst(func(w http.ResponseWriter, r *http.Request, _ auth.Analyst) {
		http.Redirect(w, r, "/analytics", http.StatusSeeOther)
	}))
	m.HandleFunc("GET /analytics/regions", s.analyst(s.chooseRegion))
}

// chooseRegion is the region dashboard's filter form: it names the region
// in a field, the page has it in its path.
func (s *Server) chooseRegion(w http.ResponseWriter, r *http.Request, _ auth.Analyst) {
	q := r.URL.Query()
	code := q.Get("region")
	if code == "" && len(s.cfg.Bookings.Regions()) > 0 {
		code = s.cfg.Bookings.Regions()[0].Code
	}
	if !s.knownRegion(code) {
		s.fail(w, r, errUnknownRegion)
		return
	}
	q.Del("region")
	http.Redirect(w, r, "/analytics/regions/"+url.PathEscape(code)+querySuffix(q), http.StatusSeeOther)
}

func (s *Server) dashboard(d dashboard) func(http.ResponseWriter, *http.Request, auth.Analyst) {
	return func(w http.ResponseWriter, r *http.Request, _ auth.Analyst) {
		q := r.URL.Query()
		format := q.Get("format")
		report, err := s.analyticsReport(r, d, q)
		if err == nil && format != "" && format != "csv" && format != "json" {
			err = errBadFormat
		}
		// No figure leaves without its record, as from the API.
		if aerr := s.record(r, audit.AnalyticsRead, "", err, ""); aerr != nil {
			err = aerr
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch format {
		case "csv":
			s.writeFigures(w, "text/csv; charset=utf-8", d.page, report.Filter, "csv")
			if err := report.WriteCSV(w); err != nil {
				s.cfg.Logger.Warn("web: analytics CSV not written", "err", err)
			}
		case "json":
			s.writeFigures(w, "application/json", d.page, report.Filter, "json")
			_ = json.NewEncoder(w).Encode(report)
		default:
			title := tr(langOf(r), d.titleKey)
			if d.byPath {
				title += " " + report.Filter.Region + " " + s.regionName(report.Filter.Region)
			}
			s.renderTitled(w, r, http.StatusOK, "analytics", strings.TrimSpace(title), s.dashView(r, d, report))
		}
	}
}

// analyticsReport parses the page's filter and asks broker/analytics for
// its report (already suppressed; a region's report carries its live
// conformance probe runs), so that what is exported is what is shown.
func (s *Server) analyticsReport(r *http.Request, d dashboard, q url.Values) (*analytics.Report, error) {
	region := q.Get("region")
	if d.byPath {
		region = r.PathValue("code")
	}
	f, err := s.cfg.Analytics.Filter(q.Get("from"), q.Get("to"), region)
	if err != nil {
		return nil, err
	}
	if region != "" && !s.knownRegion(region) {
		return nil, errUnknownRegion
	}
	return d.query(s.cfg.Analytics)(r.Context(), f)
}

func (s *Server) regionName(code string) string {
	for _, reg := range s.cfg.Bookings.Regions() {
		if reg.Code == code {
			return reg.Name
		}
	}
	return ""
}

// writeFigures starts a CSV or JSON answer: a download named by the page
// and period, never cached.
func (s *Server) writeFigures(w http.ResponseWriter, contentType, page string, f analytics.Filter, ext string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	name := "analytics-" + page + "-" + f.From + "-" + f.To
	if f.Region != "" {
		name += "-" + f.Region
	}
	if ext == "csv" {
		h.Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	}
}

// querySuffix is "?" and q encoded, or "" for none.
func querySuffix(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
