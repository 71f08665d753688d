package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/fedhealth/federation/broker/analytics"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/sagas"
)

// dashView is an analytics page's data: the filter form, the links to
// the other dashboards and to this one's CSV and JSON, and the report's
// tables ready to show.
type dashView struct {
	Filter     analytics.Filter
	Regions    []regionOption
	Action     string // the filter form's path
	RegionPage bool   // the region is the page's, not "all or one"
	Links      []dashLink
	CSV, JSON  string
	Tables     []figureTable
	// Hidden: some figure shown is hidden or a total leaves hidden cells
	// out; the page says so and why.
	Hidden bool
	// Status is the region's live status (region page only).
	Status contracts.RegionStatus
	Lag    analytics.Lag
}

type regionOption struct {
	Code, Name string
	Selected   bool
}

type dashLink struct {
	Href, Key string
	Current   bool
}

func (s *Server) dashView(r *http.Request, d dashboard, report *analytics.Report) dashView {
	lang := langOf(r)
	f := report.Filter
	v := dashView{Filter: f, Action: d.path, RegionPage: d.byPath, Lag: report.Consumer}
	if d.byPath {
		v.Action = "/analytics/regions"
	}
	names := map[string]string{}
	for _, reg := range s.cfg.Bookings.Regions() {
		names[reg.Code] = reg.Name
		v.Regions = append(v.Regions, regionOption{Code: reg.Code, Name: reg.Name, Selected: reg.Code == f.Region})
		if d.byPath && reg.Code == f.Region {
			v.Status = reg.Status
		}
	}
	period := url.Values{"from": {f.From}, "to": {f.To}}
	for _, o := range dashboards {
		href := o.path
		if o.byPath {
			code := f.Region
			if code == "" && len(v.Regions) > 0 {
				code = v.Regions[0].Code
			}
			href = "/analytics/regions/" + url.PathEscape(code)
		}
		q := url.Values{"from": period["from"], "to": period["to"]}
		if f.Region != "" && !o.byPath {
			q.Set("region", f.Region)
		}
		v.Links = append(v.Links, dashLink{Href: href + querySuffix(q), Key: o.titleKey, Current: o.page == d.page})
	}
	self := url.Values{"from": {f.From}, "to": {f.To}}
	if f.Region != "" && !d.byPath {
		self.Set("region", f.Region)
	}
	path := r.URL.Path
	self.Set("format", "csv")
	v.CSV = path + "?" + self.Encode()
	self.Set("format", "json")
	v.JSON = path + "?" + self.Encode()
	for _, t := range report.Tables {
		ft := figures(t, lang, names)
		v.Hidden = v.Hidden || ft.Hidden
		v.Tables = append(v.Tables, ft)
	}
	return v
}

// regionLabel names a region in a table: its code and name, or the
// whole country for the "all" rows.
func regionLabel(lang sagas.Lang, code string, names map[string]string) string {
	if code == "all" {
		return tr(lang, "a.all")
	}
	if n := names[code]; n != "" {
		return code + " " + n
	}
	return code
}

// specialtyLabel names a specialty by its code and the federal
// directory's name.
func specialtyLabel(lang sagas.Lang, code string) string {
	if code == "all" {
		return tr(lang, "a.allspec")
	}
	if n := misv2.SpecialtyName(code); n != "" {
		return code + " " + n
	}
	return code
}

// trOr is key's text, or fallback for a name no text covers (a probe's
// or a refusal's own name).
func trOr(lang sagas.Lang, key, fallback string) string {
	if _, ok := texts[key]; ok {
		return tr(lang, key)
	}
	return fallback
}

// joinLabel is a row's keys as one chart label.
func joinLabel(keys []string) string { return strings.Join(keys, " · ") }
