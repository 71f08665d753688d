package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// operatorClaims are a well-formed operator token's claims, named as given.
func operatorClaims(d *DevIssuer, opClaim, regionClaim string, id, region any) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"iss": d.Issuer(), "aud": testAudience, "sub": "op-subject",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	if id != nil {
		c[opClaim] = id
	}
	if region != nil {
		c[regionClaim] = region
	}
	return c
}

// withOperators turns operators on with the dev issuer's claim names, as
// serve does for the dev issuer.
func withOperators(c *VerifierConfig) { c.OperatorClaim = DefaultOperatorClaim }

func TestAnOperatorTokenNamesAnOperatorOfOneRegion(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, withOperators)
	ctx := context.Background()
	tok, err := ti.IssueOperator("op1", "25", 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.VerifyPrincipal(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != RoleOperator || p.Operator != (Operator{ID: "op1", Region: "25"}) || p.Citizen.Subject != "" {
		t.Fatalf("principal %+v, want operator op1 of region 25", p)
	}
	if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrWrongRole) {
		t.Fatalf("Verify (citizens only) of an operator token: %v, want ErrWrongRole", err)
	}
	citizen := mustIssue(t, ti.DevIssuer, "ivan")
	if p, err := v.VerifyPrincipal(ctx, citizen); err != nil || p.Role != RoleCitizen || p.Citizen.Subject != "ivan" {
		t.Fatalf("a citizen's token: %+v, %v", p, err)
	}
	// The cache of verified tokens keeps the role.
	if p, _ := v.VerifyPrincipal(ctx, tok); p.Role != RoleOperator {
		t.Fatalf("a cached operator token came back as %s", p.Role)
	}
}

func TestMalformedOperatorClaimsAreUnauthenticated(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, withOperators)
	tests := []struct {
		name       string
		id, region any
	}{
		{"an operator without a region", "op1", nil},
		{"an operator of a malformed region", "op1", "25/../77"},
		{"a region that is not a string", "op1", 25},
		{"an operator id that is not a string", 7, "25"},
		{"an empty operator id", "", "25"},
		{"an operator id with spaces", "op 1", "25"},
		// The audit trail refuses actors shaped like a SNILS or OMS: such
		// an operator could act, but never be recorded.
		{"an operator id of 11 digits", "12345678901", "25"},
		{"an operator id holding a SNILS as written", "op-123-456-789-01", "25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ti.sign(operatorClaims(ti.DevIssuer, DefaultOperatorClaim, DefaultRegionClaim, tt.id, tt.region))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.VerifyPrincipal(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("err = %v, want ErrUnauthenticated", err)
			}
		})
	}
}

func TestARealIssuersOperatorClaimsAreConfigurable(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, func(c *VerifierConfig) { c.OperatorClaim, c.RegionClaim = "staff_id", "subject_code" })
	ctx := context.Background()
	tok, _ := ti.sign(operatorClaims(ti.DevIssuer, "staff_id", "subject_code", "desk-7", "77"))
	if p, err := v.VerifyPrincipal(ctx, tok); err != nil || p.Operator != (Operator{ID: "desk-7", Region: "77"}) {
		t.Fatalf("configured claims: %+v, %v", p, err)
	}
	// Under these names the default claims mean nothing: a citizen.
	dflt, _ := ti.IssueOperator("op1", "25", time.Minute)
	if p, err := v.VerifyPrincipal(ctx, dflt); err != nil || p.Role != RoleCitizen {
		t.Fatalf("default operator claims under configured names: %+v, %v", p, err)
	}
	for _, bad := range [][2]string{{"sub", "region"}, {"region", "region"}, {"operator_id", "snils"}} {
		cfg := VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms,
			OperatorClaim: bad[0], RegionClaim: bad[1]}
		if _, err := NewVerifier(ctx, cfg, nil); err == nil {
			t.Errorf("operator claim %q, region claim %q accepted", bad[0], bad[1])
		}
	}
}

func TestOperatorsAreOffUnlessTheirClaimIsConfigured(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, nil) // a real issuer's configuration without operator_claim
	tok, err := ti.IssueOperator("op1", "25", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.VerifyPrincipal(context.Background(), tok); err != nil || p.Role != RoleCitizen {
		t.Fatalf("an operator_id claim with operators off: %+v, %v; want a citizen", p, err)
	}
	cfg := VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms, RegionClaim: "region"}
	if _, err := NewVerifier(context.Background(), cfg, nil); err == nil {
		t.Error("a region claim without an operator claim was accepted")
	}
}

func TestATokenWithOperatorAndCitizenClaimsIsRefused(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, withOperators)
	for _, claim := range []string{"snils", "oms", "birthdate"} {
		t.Run(claim, func(t *testing.T) {
			c := operatorClaims(ti.DevIssuer, DefaultOperatorClaim, DefaultRegionClaim, "op1", "25")
			c[claim] = map[string]string{"snils": SyntheticSNILS("ivan"), "oms": SyntheticOMS("ivan"), "birthdate": "1980-01-01"}[claim]
			tok, err := ti.sign(c)
			if err != nil {
				t.Fatal(err)
			}
			if p, err := v.VerifyPrincipal(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("operator token with a %s claim: %+v, %v; want ErrUnauthenticated", claim, p, err)
			}
		})
	}
}

func TestRequireRoleRefusesTheOtherRole(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, withOperators)
	var refused error
	onError := func(w http.ResponseWriter, _ *http.Request, err error) {
		refused = err
		w.WriteHeader(http.StatusForbidden)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	citizens := httptest.NewServer(Middleware(v, onError)(RequireRole(RoleCitizen, onError)(ok)))
	operators := httptest.NewServer(Middleware(v, onError)(RequireRole(RoleOperator, onError)(ok)))
	t.Cleanup(citizens.Close)
	t.Cleanup(operators.Close)
	op, _ := ti.IssueOperator("op1", "25", time.Minute)
	citizen := mustIssue(t, ti.DevIssuer, "ivan")
	for _, c := range []struct {
		name, url, token string
		want             int
	}{
		{"a citizen on a citizen endpoint", citizens.URL, citizen, http.StatusNoContent},
		{"an operator on a citizen endpoint", citizens.URL, op, http.StatusForbidden},
		{"an operator on an operator endpoint", operators.URL, op, http.StatusNoContent},
		{"a citizen on an operator endpoint", operators.URL, citizen, http.StatusForbidden},
	} {
		refused = nil
		req, _ := http.NewRequest("GET", c.url, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want || (c.want == http.StatusForbidden && !errors.Is(refused, ErrWrongRole)) {
			t.Errorf("%s: %d (%v), want %d", c.name, resp.StatusCode, refused, c.want)
		}
	}
}
