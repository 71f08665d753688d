package conformance

import (
	"context"
	"regexp"
)

// T is what a requirement's code may do with the run it is part of: the
// subset of *testing.T the requirements use, so that *testing.T satisfies
// it and the same code runs under `go test` and under Run.
//
// Fatal, Fatalf, Skip, Skipf and SkipNow end the requirement at once (the
// engine, like testing, calls runtime.Goexit), so they must be called from
// the requirement's own goroutine; Error, Errorf and Log may be called
// from any goroutine.
type T interface {
	Helper()
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Log(args ...any)
	Logf(format string, args ...any)
	Skip(args ...any)
	Skipf(format string, args ...any)
	Failed() bool
	// Cleanup registers f to run when the requirement ends, last
	// registered first, also after Fatal or a panic.
	Cleanup(f func())
	// Context is cancelled when the requirement's time is up (or, under
	// go test, just before its cleanups run).
	Context() context.Context
}

// Requirement is one check of what an MIS must provide.
type Requirement struct {
	// ID is stable across releases, KIND-AREA-NN (for example
	// "FHIR-HOLD-03"): reports, the live probes' history and the quirk
	// matrix refer to requirements by it, so it is never reused.
	ID string
	// Title says as a sentence what the MIS must do.
	Title string
	// Required is true for a requirement whose failure fails the run;
	// false marks a recommendation, reported but not held against the MIS.
	Required bool
	// ReadOnly is true for a requirement that never holds, books or
	// cancels anything, so it is safe against production (the live probes
	// run only these).
	ReadOnly bool
	// Run checks the requirement, failing t when the MIS falls short.
	Run func(t T)
}

// idPattern is the shape of a requirement ID.
var idPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

// ValidID reports whether id has the shape of a requirement ID
// (upper-case words and numbers joined by dashes, "FHIR-HOLD-03").
func ValidID(id string) bool { return idPattern.MatchString(id) }
