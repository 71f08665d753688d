package probes

import (
	"context"
	"time"
)

// Status is the outcome of one requirement in a run.
type Status string

// The outcomes, as the kit reports them.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Result is the latest outcome of one requirement in one region.
type Result struct {
	// Requirement is the kit's stable ID ("FHIR-SEARCH-01"), Title its
	// sentence, Required whether its failure fails a run.
	Requirement, Title string
	Required           bool
	Status             Status
	// Evidence is a redacted excerpt of what failed (Excerpt); empty for
	// a pass.
	Evidence  string
	Duration  time.Duration
	CheckedAt time.Time
}

// Run is one probe run of a region: when, how it ended and which
// requirements failed.
type Run struct {
	Region            string
	Kind              string
	Started, Finished time.Time
	Passed, Failed    int
	Skipped           int
	FailedIDs         []string
	// Error says why the run could not check anything (the region's
	// config unusable, the run cut short); empty for a run that ran.
	Error string
}

// OK reports whether the run ran and no requirement failed.
func (r Run) OK() bool { return r.Error == "" && r.Failed == 0 }

// Reader is the read side of the probe results, for the API and the
// analysts' read model. Implementations are safe for concurrent use.
type Reader interface {
	// Latest returns the latest result of every requirement probed in
	// region, by requirement ID; none for a region never probed.
	Latest(ctx context.Context, region string) ([]Result, error)
	// Runs returns region's last n runs, newest first.
	Runs(ctx context.Context, region string, n int) ([]Run, error)
	// LastRuns returns the last run of every region probed.
	LastRuns(ctx context.Context) ([]Run, error)
}
