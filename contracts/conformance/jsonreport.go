package conformance

import (
	"encoding/json"
	"io"
	"time"
)

// JSONSchemaVersion is the version of the JSON report's shape; it changes
// only when a field changes meaning or goes away (adding one keeps it).
const JSONSchemaVersion = "1"

// The JSON report's shape. Field names are stable (snake case); times are
// RFC 3339 in UTC, durations milliseconds as numbers:
//
//	{"schema": "1", "target": {"kind","url","region","time_zone","kit_version"},
//	 "started": "…", "duration_ms": 0, "ok": true,
//	 "summary": {"total","passed","failed","skipped","required_failed"},
//	 "results": [{"id","title","required","read_only","status":"pass|fail|skip",
//	              "duration_ms","evidence":[…],"log":[…]}],
//	 "latency": [{"operation","count","p50_ms","p90_ms","p99_ms","max_ms"}]}
type jsonReport struct {
	Schema     string        `json:"schema"`
	Target     Target        `json:"target"`
	Started    time.Time     `json:"started"`
	DurationMS float64       `json:"duration_ms"`
	OK         bool          `json:"ok"`
	Summary    jsonSummary   `json:"summary"`
	Results    []jsonResult  `json:"results"`
	Latency    []jsonLatency `json:"latency"`
}

type jsonSummary struct {
	Total          int `json:"total"`
	Passed         int `json:"passed"`
	Failed         int `json:"failed"`
	Skipped        int `json:"skipped"`
	RequiredFailed int `json:"required_failed"`
}

type jsonResult struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Required   bool     `json:"required"`
	ReadOnly   bool     `json:"read_only"`
	Status     Status   `json:"status"`
	DurationMS float64  `json:"duration_ms"`
	Evidence   []string `json:"evidence"`
	Log        []string `json:"log"`
}

type jsonLatency struct {
	Operation string  `json:"operation"`
	Count     int     `json:"count"`
	P50MS     float64 `json:"p50_ms"`
	P90MS     float64 `json:"p90_ms"`
	P99MS     float64 `json:"p99_ms"`
	MaxMS     float64 `json:"max_ms"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// WriteJSON writes the report as JSON, in the shape documented above.
func WriteJSON(w io.Writer, r Report) error {
	out := jsonReport{Schema: JSONSchemaVersion, Target: r.Target, Started: r.Started.UTC(),
		DurationMS: ms(r.Duration), OK: r.OK(), Results: []jsonResult{}, Latency: []jsonLatency{},
		Summary: jsonSummary{r.Summary.Total, r.Summary.Passed, r.Summary.Failed, r.Summary.Skipped, r.Summary.RequiredFailed}}
	for _, res := range r.Results {
		out.Results = append(out.Results, jsonResult{ID: res.ID, Title: res.Title, Required: res.Required,
			ReadOnly: res.ReadOnly, Status: res.Status, DurationMS: ms(res.Duration),
			Evidence: nonNil(res.Evidence), Log: nonNil(res.Log)})
	}
	for _, l := range r.Latency {
		out.Latency = append(out.Latency, jsonLatency{l.Operation, l.Count, ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// nonNil keeps an empty list a list ([]) in JSON, never null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
