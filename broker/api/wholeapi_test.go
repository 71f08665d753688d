package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/bookings"
	"github.com/fedhealth/federation/broker/idempotency"
	"github.com/fedhealth/federation/broker/regionstatus"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/fedhealth/federation/sagas/store"
)

// wholeFeedRegion is the feed region of wholeAPI: its bookings wait in its
// operators' queue, so nothing but the store answers them.
const wholeFeedRegion = "27"

// feedSlotsMIS is the feed region's slot cache as the service reads it:
// every slot it is asked for is free, an hour long, slot n starting n hours
// after base (so no two overlap). Nothing else is asked of a feed region.
type feedSlotsMIS struct {
	contracts.MIS
	base time.Time
}

func (m feedSlotsMIS) ReadSlot(_ context.Context, id string) (contracts.Slot, error) {
	var n int
	if _, err := fmt.Sscanf(id, "S-%d", &n); err != nil {
		return contracts.Slot{}, fmt.Errorf("slot %s: %w", id, contracts.ErrNotFound)
	}
	start := m.base.Add(time.Duration(n) * time.Hour)
	return contracts.Slot{ID: id, Start: start, End: start.Add(time.Hour), Free: true,
		Specialty: contracts.Coding{Code: "27", Display: "Терапия"}}, nil
}

// feedRegistry is the registry of one feed region whose feed is fresh.
type feedRegistry struct{ mis feedSlotsMIS }

func (r feedRegistry) MIS(code string) (contracts.MIS, error) {
	if code != wholeFeedRegion {
		return nil, fmt.Errorf("region %s: %w", code, contracts.ErrNotFound)
	}
	return r.mis, nil
}
func (feedRegistry) Regions() []contracts.Region {
	return []contracts.Region{{Code: wholeFeedRegion, Name: "Khabarovsk Krai", Kind: contracts.RegionFeed}}
}
func (feedRegistry) Status(string) contracts.RegionStatus { return contracts.RegionAvailable }
func (feedRegistry) Location(string) *time.Location       { return time.UTC }
func (feedRegistry) FeedSync(string) (time.Time, bool, bool) {
	return time.Now(), true, true
}

// wholeAPI is the API as serve builds it, with the real stores (SQLite),
// the real bookings service and tokens of a development issuer, served on
// loopback: a feed region (27) whose bookings go to the operators' queue.
type wholeAPI struct {
	url    string
	dev    *auth.DevIssuer
	status *regionstatus.Store
	trail  *audit.Store
	keys   atomic.Int64
}

func newWholeAPI(t *testing.T) *wholeAPI {
	t.Helper()
	ctx := context.Background()
	db, _ := sqldbtest.SQLite(t)
	bookingsDB, err := store.New(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idem, err := idempotency.New(ctx, db, false, nil, nil)
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
	pseudo, err := auth.NewPseudonymizer(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{Issuer: dev.Issuer(), Audience: "federal-portal", Pseudonyms: pseudo,
		JWKSURL: idp.URL + "/jwks.json", OperatorClaim: auth.DefaultOperatorClaim}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = verifier.Close() })
	sealer, err := auth.NewSealer(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	regions := feedRegistry{feedSlotsMIS{base: time.Now().UTC().Truncate(time.Hour).Add(48 * time.Hour)}}
	service, err := bookings.New(bookings.Config{Regions: regions, Bookings: bookingsDB, Pseudonyms: pseudo, Sealer: sealer,
		Feeds: regions, Queue: bookingsDB, Watch: bookingsDB.Watch}) // MaxActivePerCitizen left to its default
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Bookings: service, Idempotency: idem, Verifier: verifier, Audit: trail, DevIssuer: dev, RegionHealth: status})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &wholeAPI{url: srv.URL, dev: dev, status: status, trail: trail}
}

func (a *wholeAPI) citizen(t *testing.T, id string) string {
	t.Helper()
	tok, err := a.dev.Issue(id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (a *wholeAPI) operator(t *testing.T, id, region string) string {
	t.Helper()
	tok, err := a.dev.IssueOperator(id, region, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// answer is a response: its status, its body, and the body's problem code
// (or "" for one that is no problem).
type answer struct {
	status int
	body   []byte
	code   string
}

// call sends method path with token; a body makes it a JSON request with
// a fresh Idempotency-Key.
func (a *wholeAPI) call(t *testing.T, token, method, path, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("key-%d", a.keys.Add(1)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := answer{status: resp.StatusCode}
	if out.body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		var pr problem
		if err := json.Unmarshal(out.body, &pr); err != nil {
			t.Fatalf("%s %s: problem body %s: %v", method, path, out.body, err)
		}
		out.code = pr.Code
	}
	return out
}

// book asks for feed slot n as the citizen of token and returns the
// booking's id.
func (a *wholeAPI) book(t *testing.T, token string, n int) string {
	t.Helper()
	r := a.call(t, token, http.MethodPost, "/api/v1/bookings", fmt.Sprintf(`{"slot_id":"%s:S-%d"}`, wholeFeedRegion, n))
	if r.status != http.StatusAccepted && r.status != http.StatusCreated && r.status != http.StatusOK {
		t.Fatalf("booking slot %d: %d %s", n, r.status, r.body)
	}
	var b struct{ ID string }
	if err := json.Unmarshal(r.body, &b); err != nil || b.ID == "" {
		t.Fatalf("booking slot %d: %s: %v", n, r.body, errors.Join(err, errors.New("no id")))
	}
	return b.ID
}
