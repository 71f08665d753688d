package conformance

import (
	"time"
)

// Status is the outcome of one requirement.
type Status string

// The outcomes of a requirement.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Report is the outcome of one run: what was checked, each requirement's
// result in the order run, and the latency of each operation.
type Report struct {
	// Target is what was checked (Options.Target).
	Target Target
	// Started is when the run began, Duration how long it took.
	Started  time.Time
	Duration time.Duration
	// Summary counts Results.
	Summary Summary
	// Results are the selected requirements' outcomes, in the order run.
	Results []Result
	// Latency is each operation's figures, from Options.Recorder.
	Latency []OpLatency
}

// Summary counts the results of a run.
type Summary struct {
	// Total, Passed, Failed and Skipped count the results by status.
	Total, Passed, Failed, Skipped int
	// RequiredFailed counts the failed requirements marked Required.
	RequiredFailed int
}

// OK reports whether no required requirement failed: the run's verdict (a
// failed recommendation does not fail it).
func (s Summary) OK() bool { return s.RequiredFailed == 0 }

// Result is the outcome of one requirement.
type Result struct {
	// ID, Title, Required and ReadOnly are the requirement's.
	ID, Title          string
	Required, ReadOnly bool
	// Status is the outcome; Duration how long the requirement ran.
	Status   Status
	Duration time.Duration
	// Evidence are the failure messages, in the order they were raised:
	// what was asked (the request line) and what came back (a bounded
	// excerpt of the answer) where the requirement made a call.
	Evidence []string
	// Log are the requirement's notes and, for a skip, its reason.
	Log []string
}

func resultOf(r Requirement, s Status, d time.Duration, evidence, log []string) Result {
	return Result{ID: r.ID, Title: r.Title, Required: r.Required, ReadOnly: r.ReadOnly,
		Status: s, Duration: d, Evidence: evidence, Log: log}
}

// OK reports whether the run passed: no required requirement failed.
func (r Report) OK() bool { return r.Summary.OK() }

func summarize(results []Result) Summary {
	s := Summary{Total: len(results)}
	for _, r := range results {
		switch r.Status {
		case StatusPass:
			s.Passed++
		case StatusFail:
			s.Failed++
			if r.Required {
				s.RequiredFailed++
			}
		case StatusSkip:
			s.Skipped++
		}
	}
	return s
}
