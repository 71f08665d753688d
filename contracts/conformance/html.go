package conformance

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlPage is the report page: one file, its CSS inline, no script and no
// external asset, so it can be attached to a go-live request as it is.
var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"join":   func(s []string) string { return strings.Join(s, "\n") },
	"millis": func(d time.Duration) string { return fmt.Sprintf("%.1f ms", ms(d)) },
	"statusClass": func(r Result) string {
		if r.Status == StatusFail && !r.Required {
			return "recfail"
		}
		return string(r.Status)
	},
	"statusText": func(r Result) string { return strings.ToUpper(string(r.Status)) },
	"instant":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"seconds":    func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(htmlSource))

// WriteHTML writes the report as a self-contained HTML page: the verdict
// and counts, what was checked, a table of requirements with status,
// evidence and notes, and the latency table.
func WriteHTML(w io.Writer, r Report) error {
	return htmlPage.Execute(w, r)
}
