package analytics

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// Report is the figures of one endpoint, already suppressed, in the one
// shape both renderings take (JSON as it is, CSV by WriteCSV): so the CSV
// holds exactly the JSON's figures.
type Report struct {
	Filter   Filter   `json:"filter"`
	Consumer Lag      `json:"consumer"`
	Tables   []*Table `json:"tables"`
}

// Table is one series of a report in long form, one row per figure, so a
// chart can pivot it by day, region, specialty or measure.
type Table struct {
	Name string `json:"name"`
	Rows []Row  `json:"rows"`
}

// Row is one figure. Value is nil when the figure is suppressed (a count
// from 1 to MinCount-1, a percentile over fewer than MinCount
// observations, or a margin that would reveal one); Partial marks a total
// that leaves suppressed cells out.
type Row struct {
	Day       string     `json:"day,omitempty"`
	At        *time.Time `json:"at,omitempty"`
	Region    string     `json:"region,omitempty"`
	Specialty string     `json:"specialty,omitempty"`
	// Operation is the MIS call a row of mis_latency counts (hold, book…).
	Operation  string   `json:"operation,omitempty"`
	Measure    string   `json:"measure"`
	Value      *float64 `json:"value"`
	Text       string   `json:"text,omitempty"`
	Suppressed bool     `json:"suppressed,omitempty"`
	Partial    bool     `json:"partial,omitempty"`
}

// Lag is how far behind the events the read model is.
type Lag struct {
	// EventsBehind is the events of the topic this instance's consumer has
	// not fetched yet (-1: unknown, no consumer in this instance).
	EventsBehind int64 `json:"events_behind"`
	// LastEventAt is the time of the newest event applied.
	LastEventAt *time.Time `json:"last_event_at,omitempty"`
	Generation  int64      `json:"generation"`
}

// csvHeader is the CSV's columns: every table's rows in one sheet.
// Columns are only ever added at the end, so a reader by position keeps
// working.
var csvHeader = []string{"table", "day", "at", "region", "specialty", "measure", "value", "text", "suppressed", "partial", "operation"}

// WriteCSV writes r's rows, a table at a time, under one header.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, t := range r.Tables {
		for _, row := range t.Rows {
			if err := cw.Write(row.csv(t.Name)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func (row Row) csv(table string) []string {
	at, value := "", ""
	if row.At != nil {
		at = row.At.UTC().Format(time.RFC3339)
	}
	if row.Value != nil {
		value = strconv.FormatFloat(*row.Value, 'f', -1, 64)
	}
	return []string{table, row.Day, at, row.Region, row.Specialty, row.Measure, value, row.Text,
		strconv.FormatBool(row.Suppressed), strconv.FormatBool(row.Partial), row.Operation}
}

func (t *Table) add(row Row) { t.Rows = append(t.Rows, row) }

// count is a row for a sum of cells (suppressed when partial and zero:
// nothing published but hidden cells).
func countRow(row Row, n int64, partial bool) Row {
	row.Partial = partial
	if partial && n == 0 {
		row.Suppressed, row.Partial = true, false
		return row
	}
	v := float64(n)
	row.Value = &v
	return row
}

func valueRow(row Row, v float64) Row {
	row.Value = &v
	return row
}

// newTable starts a table whose rows render as [] when it has none.
func newTable(name string) *Table { return &Table{Name: name, Rows: []Row{}} }
