package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/fedhealth/federation/sagas/store"
)

// twoRegions is a registry of a fhir region (78, whose MIS sends status
// callbacks) and a feed region (27); no MIS is called by these tests.
type twoRegions struct{}

func (twoRegions) MIS(code string) (contracts.MIS, error) {
	return nil, fmt.Errorf("region %s: no MIS in these tests: %w", code, contracts.ErrRegionUnavailable)
}
func (twoRegions) Regions() []contracts.Region {
	return []contracts.Region{{Code: "27", Name: "Khabarovsk Krai", TimeZone: "Asia/Vladivostok", Kind: contracts.RegionFeed},
		{Code: "78", Name: "Saint Petersburg", TimeZone: "Europe/Moscow", Kind: contracts.RegionFHIR}}
}
func (twoRegions) Status(string) contracts.RegionStatus { return contracts.RegionAvailable }
func (twoRegions) Location(code string) *time.Location {
	name := map[string]string{"27": "Asia/Vladivostok", "78": "Europe/Moscow"}[code]
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		return time.UTC
	}
	return loc
}
func (twoRegions) FeedSync(code string) (time.Time, bool, bool) {
	return time.Now(), true, code == "27"
}

// operatorPages serves the pages as serve builds them (demo sign-in),
// over the real stores, with status the refused callbacks' counts.
func operatorPages(t *testing.T) (string, *regionstatus.Store) {
	t.Helper()
	ctx := context.Background()
	db, _ := sqldbtest.SQLite(t)
	bookingsDB, err := store.New(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	trail, err := audit.New(ctx, db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	status, err := regionstatus.NewStore(ctx, db, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := auth.NewDevIssuer("http://127.0.0.1/dev-idp", "federal-portal")
	if err != nil {
		t.Fatal(err)
	}
	idp := httptest.NewServer(dev.Handler())
	t.Cleanup(idp.Close)
	pseudo, _ := auth.NewPseudonymizer(bytes.Repeat([]byte{1}, 32))
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{Issuer: dev.Issuer(), Audience: "federal-portal", Pseudonyms: pseudo,
		JWKSURL: idp.URL + "/jwks.json", OperatorClaim: auth.DefaultOperatorClaim, MaxTokenLifetime: auth.DevTokenLifetime}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = verifier.Close() })
	sealer, _ := auth.NewSealer(bytes.Repeat([]byte{2}, 32))
	service, err := bookings.New(bookings.Config{Regions: twoRegions{}, Bookings: bookingsDB, Pseudonyms: pseudo, Sealer: sealer,
		Feeds: twoRegions{}, Queue: bookingsDB})
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Config{Bookings: service, Verifier: verifier, Audit: trail, DevIssuer: dev, PlainHTTP: true, RegionHealth: status})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return srv.URL, status
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// operatorPage signs in operator id of region (demo sign-in) and returns
// the operator's page as the reader of lang sees it.
func operatorPage(t *testing.T, base, id, region string, lang sagas.Lang) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) string {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Accept-Language", string(lang))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	m := csrfValue.FindStringSubmatch(get("/signin"))
	if m == nil {
		t.Fatal("the sign-in page has no CSRF field")
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/signin/operator",
		strings.NewReader(url.Values{"csrf": {m[1]}, "operator_id": {id}, "region": {region}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", string(lang))
	resp, err := c.Do(req) // follows the redirect to /operator
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/operator" {
		t.Fatalf("operator sign-in: %d at %s: %s", resp.StatusCode, resp.Request.URL.Path, b)
	}
	return html.UnescapeString(string(b))
}

func TestTheOperatorsPageShowsTheirRegionsRefusedCallbacksOnly(t *testing.T) {
	base, status := operatorPages(t)
	ctx := t.Context()
	if page := operatorPage(t, base, "op1", "78", sagas.LangEN); !strings.Contains(page, "No status callback of the region's MIS has been refused.") {
		t.Error("before any refusal, region 78's operator's page does not say there is none")
	}
	if page := operatorPage(t, base, "op2", "27", sagas.LangEN); !strings.Contains(page, "The region's MIS sends no status callbacks") {
		t.Error("a feed region's operator's page does not say its MIS sends no callbacks")
	}
	// Two bad signatures four hours ago and three days ago (in the total,
	// not the last 24 hours), a stale timestamp two hours ago.
	t0 := time.Now().Add(-4 * time.Hour).Truncate(time.Minute)
	moscow := twoRegions{}.Location("78")
	at := func(d time.Duration) string { return t0.Add(d).In(moscow).Format("2006-01-02 15:04") }
	for _, r := range []struct {
		region, reason string
		at             time.Time
	}{
		{"78", "bad_signature", t0.Add(-72 * time.Hour)}, {"78", "bad_signature", t0.Add(time.Minute)}, {"78", "stale_timestamp", t0.Add(2 * time.Hour)},
		{"27", "undecodable_body", t0.Add(3 * time.Hour)}, // never shown to 78's operators
	} {
		if err := status.AddCallbackRejection(ctx, r.region, r.reason, r.at); err != nil {
			t.Fatal(err)
		}
	}

	page := operatorPage(t, base, "op1", "78", sagas.LangEN)
	for _, want := range []string{
		`data-refused-total="3"`, "Refused MIS status callbacks",
		`<tr data-reason="bad_signature"><td>bad signature</td><td>1</td><td>2</td><td>` + at(time.Minute) + `</td></tr>`,
		`<tr data-reason="stale_timestamp"><td>timestamp more than 5 minutes off</td><td>1</td><td>1</td><td>` + at(2*time.Hour) + `</td></tr>`,
		`<td>2</td><td>3</td><td>` + at(2*time.Hour) + ` (UTC+03:00, Europe/Moscow)</td>`, // the totals
	} {
		if !strings.Contains(page, want) {
			t.Errorf("region 78's operator's page lacks %q", want)
		}
	}
	if strings.Contains(page, "undecodable_body") {
		t.Error("region 78's operator sees region 27's refusals")
	}
	if ru := operatorPage(t, base, "op1", "78", sagas.LangRU); !strings.Contains(ru, "<td>подпись не подошла</td><td>1</td><td>2</td>") {
		t.Error("the Russian page lacks the refusals in Russian")
	}

	// Region 27's operators see their region's one refusal, none of 78's.
	status27 := operatorPage(t, base, "op2", "27", sagas.LangEN)
	if !strings.Contains(status27, `data-refused-total="1"`) || strings.Contains(status27, "bad_signature") {
		t.Error("region 27's operator's page: want its one refusal, none of 78's")
	}
}

func TestEveryRefusalReasonHasWordsInBothLanguages(t *testing.T) {
	for reason, key := range refusedReasonKeys {
		if t2, ok := texts[key]; !ok || t2[0] == "" || t2[1] == "" {
			t.Errorf("reason %s (%s) lacks a language", reason, key)
		}
	}
}
