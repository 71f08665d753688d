package conformance

import "testing"

// RunTest runs reqs as subtests of t, named "ID title", in order: the Go
// test form of a suite (`go test -run 'TestX/FHIR-HOLD-03'` runs one).
// Under go test a failed recommendation fails its subtest too, since the
// project's own simulators must meet every requirement.
func RunTest(t *testing.T, reqs []Requirement) {
	t.Helper()
	for _, r := range reqs {
		t.Run(r.ID+" "+r.Title, func(t *testing.T) { r.Run(t) })
	}
}
