package system_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/ratelimit"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
)

// The pages keep the API's rules for a reader behind the operator's
// proxy: the address limit counts the client named in X-Forwarded-For,
// not the proxy, and the audit trail classes that client's address.
func TestThePagesLimitAndAuditTheClientBehindATrustedProxy(t *testing.T) {
	h := newHarness(t, 1, func(o *system.Options) {
		o.Limits = ratelimit.Config{TrustedProxies: []string{"127.0.0.1", "::1"},
			Address: ratelimit.Budget{Reads: ratelimit.Rate{PerSecond: 0.01, Burst: 5}}}
	})
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(method, path, client string, form url.Values) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, h.sys.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Accept", "text/html")
		req.Header.Set("X-Forwarded-For", client)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	// An analyst signs in from a public address and reads a dashboard.
	signin := page("GET", "/signin", "203.0.113.7", nil)
	body, _ := io.ReadAll(signin.Body)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if csrf == nil {
		t.Fatalf("no CSRF token on the sign-in page: %s", body)
	}
	if r := page("POST", "/signin/analyst", "203.0.113.7", url.Values{"csrf": {string(csrf[1])}, "analyst_id": {"auditor-1"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("analyst sign-in: status %d", r.StatusCode)
	}
	if r := page("GET", "/analytics", "203.0.113.7", nil); r.StatusCode != http.StatusOK {
		t.Fatalf("the overview: status %d", r.StatusCode)
	}
	recs, err := h.sys.Audit.List(context.Background(), audit.Filter{Actor: "auditor-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Action != audit.AnalyticsRead || recs[0].ActorKind != audit.Analyst || recs[0].Client != audit.ClientPublic {
		t.Fatalf("audit records %+v, want one analytics.read by the analyst from a public address", recs)
	}
	// The burst of 5 reads is that client's: 2 so far, 3 more, then 429.
	for range 3 {
		if r := page("GET", "/signin", "203.0.113.7", nil); r.StatusCode != http.StatusOK {
			t.Fatalf("a read within the burst: status %d", r.StatusCode)
		}
	}
	r := page("GET", "/signin", "203.0.113.7", nil)
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("the sixth read from one client: status %d, Retry-After %q; want 429 with one", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := page("GET", "/signin", "198.51.100.9", nil); r.StatusCode != http.StatusOK {
		t.Errorf("another client behind the same proxy: status %d, want 200", r.StatusCode)
	}
}
