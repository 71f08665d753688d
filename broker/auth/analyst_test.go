package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// withAnalysts turns operators and analysts on with the dev issuer's claim
// names, as serve does for the dev issuer.
func withAnalysts(c *VerifierConfig) {
	c.OperatorClaim, c.AnalystClaim = DefaultOperatorClaim, DefaultAnalystClaim
}

func TestAnAnalystTokenNamesAnAnalystAndNoCitizen(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, withAnalysts)
	ctx := context.Background()
	tok, err := ti.IssueAnalyst("a1", 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.VerifyPrincipal(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Role != RoleAnalyst || p.Analyst != (Analyst{ID: "a1"}) || p.Citizen.Subject != "" || p.Operator != (Operator{}) {
		t.Fatalf("principal %+v, want analyst a1 and nothing else", p)
	}
	if _, err := v.Verify(ctx, tok); !errors.Is(err, ErrWrongRole) {
		t.Fatalf("Verify (citizens only) of an analyst token: %v, want ErrWrongRole", err)
	}
	if p, _ := v.VerifyPrincipal(ctx, tok); p.Role != RoleAnalyst {
		t.Fatalf("a cached analyst token came back as %s", p.Role)
	}
	if _, err := ti.IssueAnalyst("12345678901", time.Minute); err == nil {
		t.Error("the dev issuer signed an analyst id shaped like a SNILS")
	}
}

func TestAnalystsAreOffUnlessTheirClaimIsConfigured(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, withOperators) // operators on, analysts not
	tok, _ := ti.IssueAnalyst("a1", time.Minute)
	if p, err := v.VerifyPrincipal(context.Background(), tok); err != nil || p.Role != RoleCitizen {
		t.Fatalf("an analyst_id claim with analysts off: %+v, %v; want a citizen (with no identifiers)", p, err)
	}
	for _, bad := range []string{"sub", "snils", DefaultOperatorClaim, DefaultRegionClaim} {
		cfg := VerifierConfig{Issuer: ti.Issuer(), Audience: testAudience, Pseudonyms: testPseudonyms,
			OperatorClaim: DefaultOperatorClaim, AnalystClaim: bad}
		if _, err := NewVerifier(context.Background(), cfg, nil); err == nil {
			t.Errorf("analyst claim %q accepted", bad)
		}
	}
}

func TestAnAnalystTokenThatAlsoNamesACitizenOrAnOperatorIsRefused(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, withAnalysts)
	for _, tc := range []struct{ name, claim, value string }{
		{"a SNILS", "snils", SyntheticSNILS("ivan")},
		{"an OMS number", "oms", SyntheticOMS("ivan")},
		{"an operator id", DefaultOperatorClaim, "op1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := operatorClaims(ti.DevIssuer, DefaultAnalystClaim, DefaultRegionClaim, "a1", nil)
			c[tc.claim] = tc.value
			if tc.claim == DefaultOperatorClaim {
				c[DefaultRegionClaim] = "25"
			}
			tok, err := ti.sign(c)
			if err != nil {
				t.Fatal(err)
			}
			if p, err := v.VerifyPrincipal(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("analyst token with %s: %+v, %v; want ErrUnauthenticated", tc.name, p, err)
			}
		})
	}
	for _, id := range []any{"", "a 1", 7, "op-123-456-789-01"} {
		tok, _ := ti.sign(operatorClaims(ti.DevIssuer, DefaultAnalystClaim, DefaultRegionClaim, id, nil))
		if _, err := v.VerifyPrincipal(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("analyst id %#v: %v, want ErrUnauthenticated", id, err)
		}
	}
}

func TestRequireRoleServesEachRoleOnlyItsOwnEndpoints(t *testing.T) {
	ti := startIssuer(t)
	v := newTestVerifier(t, ti, withAnalysts)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	forbid := func(w http.ResponseWriter, _ *http.Request, err error) {
		if !errors.Is(err, ErrWrongRole) {
			t.Errorf("refused with %v, want ErrWrongRole", err)
		}
		w.WriteHeader(http.StatusForbidden)
	}
	servers := map[Role]*httptest.Server{}
	for _, role := range []Role{RoleCitizen, RoleOperator, RoleAnalyst} {
		servers[role] = httptest.NewServer(Middleware(v, forbid)(RequireRole(role, forbid)(ok)))
		t.Cleanup(servers[role].Close)
	}
	op, _ := ti.IssueOperator("op1", "25", time.Minute)
	an, _ := ti.IssueAnalyst("a1", time.Minute)
	tokens := map[Role]string{RoleCitizen: mustIssue(t, ti.DevIssuer, "ivan"), RoleOperator: op, RoleAnalyst: an}
	for caller, token := range tokens {
		for endpoint, srv := range servers {
			req, _ := http.NewRequest("GET", srv.URL, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := http.StatusForbidden
			if caller == endpoint {
				want = http.StatusNoContent
			}
			if resp.StatusCode != want {
				t.Errorf("%s on a %s endpoint: %d, want %d", caller, endpoint, resp.StatusCode, want)
			}
		}
	}
}
