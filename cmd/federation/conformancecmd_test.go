package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/mishttp/tlstest"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// startKind runs the fleet's first simulator of kind k on loopback.
func startKind(t *testing.T, k contracts.RegionKind, token string) (*fleet.Simulator, fleet.Region) {
	t.Helper()
	for _, r := range fleet.Regions {
		if r.Kind == k || (k == contracts.RegionFHIR && r.Kind == "") {
			sim, err := fleet.Start(r, missim.Config{Region: r.Code, TimeZone: r.TimeZone, Seed: 3, BearerToken: token}, "127.0.0.1:0", nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sim.Close() })
			return sim, r
		}
	}
	t.Fatalf("no fleet region of kind %s", k)
	return nil, fleet.Region{}
}

func misURL(sim *fleet.Simulator) string {
	if sim.Kind() == contracts.RegionSOAP || sim.Kind() == contracts.RegionJSONRPC {
		return sim.URL + "/"
	}
	return sim.URL
}

func TestConformanceAgainstEachKindsSimulatorPassesAndWritesTheThreeReports(t *testing.T) {
	for _, k := range []contracts.RegionKind{contracts.RegionFHIR, contracts.RegionSOAP, contracts.RegionJSONRPC, contracts.RegionFeed} {
		t.Run(string(k), func(t *testing.T) {
			token := "s3cret-token"
			if k == contracts.RegionFeed {
				token = "" // a publisher is public
			}
			sim, r := startKind(t, k, token)
			dir := t.TempDir()
			args := []string{"conformance", "--kind", string(k), "--mis-url", misURL(sim), "--region", r.Code, "--report-dir", dir}
			if token != "" {
				// The soap run passes the token on the command line, the
				// others in a file, as an operator should.
				if k == contracts.RegionSOAP {
					args = append(args, "--token", token)
				} else {
					file := filepath.Join(t.TempDir(), "token")
					if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
						t.Fatal(err)
					}
					args = append(args, "--token-file", file)
				}
			}
			var stdout, stderr strings.Builder
			err := run(t.Context(), args, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != 0 {
				t.Fatalf("exit %d (%v); stdout:\n%s\nstderr:\n%s", code, err, stdout.String(), stderr.String())
			}
			out := stdout.String()
			if !strings.Contains(out, "PASSED:") || !strings.Contains(out, "latency per operation") || strings.Contains(out, "FAIL ") {
				t.Errorf("stdout lacks the verdict, the latency table, or shows a failure:\n%s", out)
			}
			ids := checkReports(t, dir, 0)
			html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
			for _, id := range ids {
				if !strings.Contains(string(html), id) || !strings.Contains(out, id) {
					t.Errorf("%s is missing from report.html or stdout", id)
				}
			}
			for _, f := range []string{"report.xml", "report.json", "report.html"} {
				if b, _ := os.ReadFile(filepath.Join(dir, f)); token != "" && strings.Contains(string(b), token) {
					t.Errorf("%s carries the bearer token", f)
				}
			}
			if token != "" && strings.Contains(out, token) {
				t.Error("stdout carries the bearer token")
			}
		})
	}
}

// checkReports parses report.xml and report.json back, checks they agree
// on failures, and returns the requirement IDs.
func checkReports(t *testing.T, dir string, wantFailures int) []string {
	t.Helper()
	var suite struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name string `xml:"name,attr"`
		} `xml:"testcase"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &suite); err != nil {
		t.Fatalf("report.xml: %v", err)
	}
	var rep struct {
		OK      bool `json:"ok"`
		Results []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"results"`
		Summary struct {
			Failed int `json:"failed"`
		} `json:"summary"`
	}
	b, err = os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if suite.Tests != len(rep.Results) || suite.Tests < 5 || len(suite.Cases) != suite.Tests {
		t.Errorf("report.xml has %d tests (%d cases), report.json %d results", suite.Tests, len(suite.Cases), len(rep.Results))
	}
	if (wantFailures == 0) != (suite.Failures == 0) || (wantFailures == 0) != rep.OK || suite.Failures != rep.Summary.Failed {
		t.Errorf("failures: xml %d, json %d (ok %v); want failures %v", suite.Failures, rep.Summary.Failed, rep.OK, wantFailures > 0)
	}
	var ids []string
	for i, r := range rep.Results {
		ids = append(ids, r.ID)
		if i < len(suite.Cases) && !strings.HasPrefix(suite.Cases[i].Name, r.ID+" ") {
			t.Errorf("testcase %d is %q, want it named after %s", i, suite.Cases[i].Name, r.ID)
		}
	}
	return ids
}

func TestConformanceAgainstAFailingMISExitsOneWithEvidence(t *testing.T) {
	sim, r := startKind(t, contracts.RegionFHIR, "")
	if err := sim.SetFaults(missim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var stdout, stderr strings.Builder
	err := run(t.Context(), []string{"conformance", "--mis-url", sim.URL, "--region", r.Code, "--read-only", "--report-dir", dir}, &stdout, &stderr)
	if code := exitCode(err, &stderr); code != 1 {
		t.Fatalf("exit %d (%v), want 1; stdout:\n%s", code, err, stdout.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "FAIL  FHIR-SEARCH-01") || !strings.Contains(out, "GET /Slot?") || !strings.Contains(out, "→ 500") ||
		!strings.Contains(out, "FAILED:") {
		t.Errorf("stdout lacks the failure with its request line and status:\n%s", out)
	}
	checkReports(t, dir, 1)
}

func TestConformanceRefusesABadCommandLineWithExitTwo(t *testing.T) {
	for name, args := range map[string][]string{
		"no URL":                 {"conformance"},
		"an unknown kind":        {"conformance", "--kind", "hl7v2", "--mis-url", "http://127.0.0.1:1"},
		"soap without a zone":    {"conformance", "--kind", "soap", "--mis-url", "http://127.0.0.1:1/"},
		"a zone that is no zone": {"conformance", "--mis-url", "http://127.0.0.1:1", "--time-zone", "Mars/Olympus"},
		"a token and a cert":     {"conformance", "--mis-url", "http://127.0.0.1:1", "--token", "x", "--tls-cert", "c", "--tls-key", "k"},
		"a cert without its key": {"conformance", "--mis-url", "http://127.0.0.1:1", "--tls-cert", "c"},
		"a token twice":          {"conformance", "--mis-url", "http://127.0.0.1:1", "--token", "x", "--token-file", "f"},
		"a token file not there": {"conformance", "--mis-url", "http://127.0.0.1:1", "--token-file", "/nonexistent/token"},
		"an unknown requirement": {"conformance", "--mis-url", "http://127.0.0.1:1", "--only", "FHIR-NOPE-99"},
		"a URL with credentials": {"conformance", "--mis-url", "http://user:pw@127.0.0.1:1"},
		"a flag that is no flag": {"conformance", "--colour"},
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := run(t.Context(), args, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != 2 || stderr.Len() == 0 {
				t.Errorf("exit %d with stderr %q, want 2 and a message", code, stderr.String())
			}
		})
	}
}

func TestConformanceOverMutualTLS(t *testing.T) {
	ca := tlstest.NewCA(t)
	sim, err := missim.New(missim.Config{Region: "54", TimeZone: "Asia/Novosibirsk", Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, names := tlstest.MutualTLSServer(t, ca, sim.Handler())
	cert, key := ca.Issue(t, "vendor-kit", x509.ExtKeyUsageClientAuth)
	var stdout, stderr strings.Builder
	err = run(t.Context(), []string{"conformance", "--mis-url", srv.URL, "--region", "54", "--read-only",
		"--tls-cert", cert, "--tls-key", key, "--tls-ca", ca.File(t)}, &stdout, &stderr)
	if code := exitCode(err, &stderr); code != 0 {
		t.Fatalf("exit %d (%v); stdout:\n%s\nstderr:\n%s", code, err, stdout.String(), stderr.String())
	}
	if got := <-names; got != "vendor-kit" {
		t.Errorf("the MIS saw client %q, want vendor-kit", got)
	}
}
