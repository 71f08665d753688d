package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesPointOneWay keeps the picture in STYLE.md true: contracts
// depends on nothing of ours, regions only on contracts, sagas only on
// contracts, broker on contracts and sagas but never on the bookings store
// (sagas/store: the front end starts and reads sagas through the sagas.Store
// port); only cmd wires everything.
func TestDependenciesPointOneWay(t *testing.T) {
	const module = "github.com/fedhealth/federation/"
	allowed := map[string][]string{
		"contracts": {"contracts"},
		"regions":   {"regions", "contracts"},
		"sagas":     {"sagas", "contracts"},
		"broker":    {"broker", "sagas", "contracts"},
	}
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	// Packages an area must not reach although its allowed areas contain them.
	forbidden := map[string][]string{
		"broker": {"sagas/store"},
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := strings.TrimPrefix(fields[0], module), fields[1:]
		area := strings.Split(pkg, "/")[0]
		ok, ruled := allowed[area]
		if !ruled {
			continue
		}
		checked++
		for _, d := range deps {
			if !strings.HasPrefix(d, module) {
				continue
			}
			rel := strings.TrimPrefix(d, module)
			dep := strings.Split(rel, "/")[0]
			if !contains(ok, dep) {
				t.Errorf("%s depends on %s: %s may depend only on %v", pkg, rel, area, ok)
			}
			for _, f := range forbidden[area] {
				if rel == f || strings.HasPrefix(rel, f+"/") {
					t.Errorf("%s depends on %s: %s must not depend on %s", pkg, rel, area, f)
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d packages; go list found too few, the test is not looking", checked)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
