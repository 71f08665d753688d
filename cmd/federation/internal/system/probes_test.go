package system_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/conformance"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
)

// conformanceView is GET /api/v1/regions/{code}/conformance.
type conformanceView struct {
	Region       string
	Requirements []requirementView
	LastRun      *probeRunView `json:"last_run"`
	History      []probeRunView
}

type requirementView struct {
	ID, Title, Status, Evidence string
	Required                    bool
	CheckedAt                   time.Time `json:"checked_at"`
}

type probeRunView struct {
	Started                 time.Time
	Passed, Failed, Skipped int
	FailedIDs               []string `json:"failed_ids"`
	Error                   string
}

func (h *harness) conformance(token, region, query string) conformanceView {
	h.t.Helper()
	var v conformanceView
	h.mustJSON(h.call(http.MethodGet, "/api/v1/regions/"+region+"/conformance"+query, token, "", nil), http.StatusOK, &v)
	return v
}

// waitRun polls region's results until a run that started after since
// satisfies ok, and returns the results of that run.
func (h *harness) waitRun(token, region string, since time.Time, ok func(probeRunView) bool) conformanceView {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		v := h.conformance(token, region, "")
		if v.LastRun != nil && v.LastRun.Started.After(since) && ok(*v.LastRun) {
			return v
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("region %s: no run since %s as wanted; last %+v", region, since.Format(time.RFC3339Nano), v.LastRun)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func passed(r probeRunView) bool { return r.Failed == 0 && r.Error == "" && r.Passed > 0 }

func TestLiveProbesCheckEveryRegionReadOnlyAndFollowItsFaults(t *testing.T) {
	// The SOAP MIS wants a bearer token: the probes use the region's.
	soapSim, err := soapsim.New(soapsim.Config{Region: soapCode, TimeZone: "Asia/Kamchatka", Seed: 3, BearerToken: "probe-token"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(soapSim.Handler())
	t.Cleanup(srv.Close)
	h := newHarness(t, 1, func(o *system.Options) {
		soap := soapRegion(srv.URL, 2*time.Second, breaker.Config{MaxConcurrent: 16})
		soap.SOAP.BearerToken = "probe-token"
		o.Regions = append(o.Regions, soap)
		o.Probes = system.ProbeOptions{Interval: 400 * time.Millisecond, Timeout: 10 * time.Second}
	})
	var fhirCode string
	for code := range h.sims {
		fhirCode = code
	}
	analyst := h.analystToken("a1")
	start := time.Now().Add(-time.Hour)

	// Both regions' results appear, every probed requirement passing.
	for _, code := range []string{fhirCode, soapCode} {
		v := h.waitRun(analyst, code, start, passed)
		if len(v.Requirements) != v.LastRun.Passed+v.LastRun.Skipped {
			t.Errorf("region %s: %d requirements for a run of %+v", code, len(v.Requirements), v.LastRun)
		}
		for _, r := range v.Requirements {
			if r.Status == "fail" || r.Title == "" || r.CheckedAt.IsZero() {
				t.Errorf("region %s: requirement %+v", code, r)
			}
			if _, dropped := system.ProbeDropped[r.ID]; dropped {
				t.Errorf("region %s: %s was probed, though it sends a patient's identifiers", code, r.ID)
			}
		}
	}
	soapIDs := h.conformance(analyst, soapCode, "")
	for _, id := range []string{"SOAP-SCHED-01", "SOAP-AUTH-01"} {
		if !slices.ContainsFunc(soapIDs.Requirements, func(r requirementView) bool { return r.ID == id && r.Status == "pass" }) {
			t.Errorf("the SOAP region's results %+v lack a pass of %s", soapIDs.Requirements, id)
		}
	}

	// A region down fails its required checks at the next run, with evidence.
	h.faults(fhirCode, missim.Faults{Down: true})
	if err := soapSim.SetFaults(missim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	faulted := time.Now()
	for _, code := range []string{fhirCode, soapCode} {
		v := h.waitRun(analyst, code, faulted, func(r probeRunView) bool { return r.Failed > 0 })
		failedOne := false
		for _, r := range v.Requirements {
			if r.Status == "fail" {
				failedOne = true
				if r.Evidence == "" || !slices.Contains(v.LastRun.FailedIDs, r.ID) {
					t.Errorf("region %s: failed %s has evidence %q, run's failed IDs %v", code, r.ID, r.Evidence, v.LastRun.FailedIDs)
				}
			}
		}
		if !failedOne {
			t.Errorf("region %s: a run with failures but no failed requirement: %+v", code, v)
		}
	}

	// Recovery passes again; the history shows the failure and the recovery.
	h.faults(fhirCode, missim.Faults{})
	_ = soapSim.SetFaults(missim.Faults{})
	recovered := time.Now()
	for _, code := range []string{fhirCode, soapCode} {
		h.waitRun(analyst, code, recovered, passed)
		hist := h.conformance(analyst, code, "?history=50").History
		if len(hist) < 3 || !passed(hist[0]) || !slices.ContainsFunc(hist, func(r probeRunView) bool { return r.Failed > 0 }) {
			t.Errorf("region %s: history %+v, want the passing run first and a failed one among them", code, hist)
		}
	}

	// The probes held, booked and cancelled nothing.
	if got := h.appointments(fhirCode); len(got) != 0 {
		t.Errorf("the FHIR simulator has appointments after the probes: %+v", got)
	}
	if got := soapSim.Appointments(); len(got) != 0 {
		t.Errorf("the SOAP simulator has appointments after the probes: %+v", got)
	}

	// The metrics.
	metrics := string(h.internal("/metrics").body)
	for _, want := range []string{
		`federation_conformance_probe_runs_total{outcome="fail",region="` + soapCode + `"`,
		`federation_conformance_probe_runs_total{outcome="pass",region="` + fhirCode + `"`,
		`federation_conformance_requirement_passing{region="` + soapCode + `",requirement="SOAP-SCHED-01"`,
		`federation_conformance_probe_last_run_timestamp_seconds{region="` + fhirCode + `"`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestOnlyAnalystsAndTheRegionsOperatorsReadItsProbeResults(t *testing.T) {
	h := newHarness(t, 2, nil)
	var codes []string
	for code := range h.sims {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	region, other := codes[0], codes[1]
	path := "/api/v1/regions/" + region + "/conformance"
	for _, c := range []struct {
		name, token string
		status      int
		code        string
	}{
		{"an analyst reads any region", h.analystToken("a1"), http.StatusOK, ""},
		{"the region's operator reads it", h.operatorToken("op1", region), http.StatusOK, ""},
		{"another region's operator is refused", h.operatorToken("op2", other), http.StatusForbidden, "region-not-yours"},
		{"a citizen is refused", h.token("citizen-1"), http.StatusForbidden, "wrong-role"},
		{"no token is unauthenticated", "", http.StatusUnauthorized, "unauthenticated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			corr := "probe-access-" + strings.NewReplacer(" ", "-", "'", "").Replace(c.name)
			r := h.call(http.MethodGet, path, c.token, "", map[string]string{"X-Correlation-ID": corr})
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			var p struct{ Code string }
			_ = json.Unmarshal(r.body, &p)
			if p.Code != c.code {
				t.Errorf("problem code %q, want %q", p.Code, c.code)
			}
			if c.token == "" {
				return // no caller to name: the trail records signed-in calls
			}
			if rec := h.auditRecord(corr); rec.Action != audit.RegionConformanceRead || rec.Status != c.status || rec.Target != "region "+region {
				t.Errorf("audit record %+v, want %s of region %s answered %d", rec, audit.RegionConformanceRead, region, c.status)
			}
		})
	}
	// Probes off in this harness: a region never probed answers empty.
	if v := h.conformance(h.analystToken("a2"), region, "?history=5"); v.LastRun != nil || len(v.Requirements) != 0 {
		t.Errorf("a region never probed: %+v", v)
	}
	if r := h.call(http.MethodGet, "/api/v1/regions/99/conformance", h.analystToken("a3"), "", nil); r.status != http.StatusNotFound {
		t.Errorf("an unknown region: %d, want 404", r.status)
	}
	if r := h.call(http.MethodGet, path+"?history=0", h.analystToken("a4"), "", nil); r.status != http.StatusBadRequest {
		t.Errorf("history=0: %d, want 400", r.status)
	}
}

func TestTheProbesRunTheReadOnlyRequirementsOfEveryKindLessThoseSendingAPatient(t *testing.T) {
	for _, kind := range conformance.Kinds {
		readOnly, err := conformance.ReadOnlyIDs(kind)
		if err != nil {
			t.Fatal(err)
		}
		probed, err := system.ProbedIDs(kind)
		if err != nil || len(probed) == 0 {
			t.Fatalf("kind %s: probed %v, %v", kind, probed, err)
		}
		for _, id := range readOnly {
			_, dropped := system.ProbeDropped[id]
			if slices.Contains(probed, id) == dropped {
				t.Errorf("kind %s: %s probed %v, dropped %v", kind, id, slices.Contains(probed, id), dropped)
			}
		}
	}
	// A dropped ID the kit no longer has would let its renamed successor
	// through: every one must still name a read-only requirement.
	for id := range system.ProbeDropped {
		found := false
		for _, kind := range conformance.Kinds {
			ids, _ := conformance.ReadOnlyIDs(kind)
			found = found || slices.Contains(ids, id)
		}
		if !found {
			t.Errorf("ProbeDropped names %s, which is no read-only requirement of the kit", id)
		}
	}
}
