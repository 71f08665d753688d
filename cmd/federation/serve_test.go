package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
)

// startCommand runs the command args until the test ends and returns its
// stdout once want matches it.
func startCommand(t *testing.T, want *regexp.Regexp, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: %v", args[0], err)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := want.FindStringSubmatch(stdout.String()); m != nil {
			return m
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("%s stopped: %v\n%s", args[0], err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 30s; stderr:\n%s", args[0], stderr.String())
		}
	}
}

var testIDPLine = regexp.MustCompile(`TEST identity provider (\S+) on`)

// testToken asks a running test-idp for a citizen's token.
func testToken(t *testing.T, issuer, citizen string) string {
	t.Helper()
	resp, err := http.Post(issuer+"/token", "application/json", strings.NewReader(fmt.Sprintf(`{"citizen_id":%q}`, citizen)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Token == "" {
		t.Fatalf("POST /token: %d %v", resp.StatusCode, err)
	}
	return out.Token
}

func TestTheTestIdentityProviderIssuesTokensAVerifierAccepts(t *testing.T) {
	issuer := startCommand(t, testIDPLine, "test-idp", "--listen", "127.0.0.1:0", "--audience", "federation")[1]
	pseudonyms, err := auth.NewPseudonymizer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(t.Context(), auth.VerifierConfig{Issuer: issuer, Audience: "federation", Pseudonyms: pseudonyms}, nil)
	if err != nil {
		t.Fatalf("a verifier cannot use the test issuer %s: %v", issuer, err)
	}
	if _, err := v.Verify(t.Context(), testToken(t, issuer, "ivan")); err != nil {
		t.Errorf("its token does not verify: %v", err)
	}
	resp, err := http.Post(issuer+"/token", "application/json", strings.NewReader(`{"citizen_id":"a b"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a malformed citizen id: %d, want 400", resp.StatusCode)
	}
}

// The test identity provider signs a regional operator's token too (the
// bench's operator bot confirms feed bookings with one), which a verifier
// with the operator claim reads as that region's operator; a body naming
// both a citizen and an operator, or an operator without a region, is 400.
func TestTheTestIdentityProviderSignsOperatorTokens(t *testing.T) {
	issuer := startCommand(t, testIDPLine, "test-idp", "--listen", "127.0.0.1:0", "--audience", "federation")[1]
	pseudonyms, err := auth.NewPseudonymizer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(t.Context(), auth.VerifierConfig{Issuer: issuer, Audience: "federation", Pseudonyms: pseudonyms,
		OperatorClaim: auth.DefaultOperatorClaim}, nil)
	if err != nil {
		t.Fatal(err)
	}
	post := func(body string) (int, string) {
		resp, err := http.Post(issuer+"/token", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Token string }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Token
	}
	status, tok := post(`{"operator_id":"op1","region":"27"}`)
	if status != http.StatusOK {
		t.Fatalf("an operator's token: %d, want 200", status)
	}
	p, err := v.VerifyPrincipal(t.Context(), tok)
	if err != nil || p.Operator.ID != "op1" || p.Operator.Region != "27" {
		t.Errorf("the operator token verifies as %+v, %v; want op1 of region 27", p, err)
	}
	for _, body := range []string{`{"operator_id":"op1"}`, `{"citizen_id":"ivan","operator_id":"op1","region":"27"}`, `{"citizen_id":"ivan","region":"27"}`} {
		if status, _ := post(body); status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", body, status)
		}
	}
}

var serveLine = regexp.MustCompile(`federation broker serving at (\S+) \(metrics and probes at (\S+)\)`)

// TestServeRunsAProductionShapedConfig starts serve as the example config
// describes it: the test identity provider as its own process, an MIS that
// demands its bearer token, a data directory that does not exist yet.
func TestServeRunsAProductionShapedConfig(t *testing.T) {
	issuer := startCommand(t, testIDPLine, "test-idp", "--listen", "127.0.0.1:0")[1]
	sim, err := fleet.StartSimulator(missim.Config{Region: "77", TimeZone: "Europe/Moscow", Seed: 1, BearerToken: "mis-secret"}, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	t.Setenv("FED_TEST_KEY", strings.Repeat("ab", 32))
	t.Setenv("FED_TEST_MIS_TOKEN", "mis-secret")
	dataDir := filepath.Join(t.TempDir(), "not", "yet")
	config := fmt.Sprintf(`listen: 127.0.0.1:0
internal_listen: 127.0.0.1:0
data_dir: %s
auth: {issuer: %q, audience: federation}
secrets: {pseudonym_key: env:FED_TEST_KEY, seal_key: env:FED_TEST_KEY}
regions:
  - {code: "77", name: Moscow, time_zone: Europe/Moscow, mis: {base_url: %q, bearer_token: env:FED_TEST_MIS_TOKEN}}
`, dataDir, issuer, sim.URL)
	path := filepath.Join(t.TempDir(), "federation.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	m := startCommand(t, serveLine, "serve", "--config", path, "--log-level", "error")
	api, internal := m[1], m[2]

	if st, err := os.Stat(dataDir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data_dir: %v %v, want created 0700", st, err)
	}
	var slots struct{ Slots []struct{ ID string } }
	mustCall(t, http.MethodGet, api+"/api/v1/slots?region=77&specialty="+missim.SpecialtyTherapy+"&limit=1", testToken(t, issuer, "ivan"), "", nil, http.StatusOK, &slots)
	if len(slots.Slots) != 1 {
		t.Errorf("search through serve found %d slots, want 1", len(slots.Slots))
	}
	for url, want := range map[string]int{api + "/metrics": http.StatusNotFound, internal + "/metrics": http.StatusOK, internal + "/readyz": http.StatusOK} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", url, resp.StatusCode, want)
		}
	}
}
