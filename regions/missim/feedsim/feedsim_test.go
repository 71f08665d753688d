package feedsim_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/regions/feed/wire"
	"github.com/fedhealth/federation/regions/missim/feedsim"
)

func start(t *testing.T, cfg feedsim.Config) (*feedsim.Server, string) {
	t.Helper()
	sim, err := feedsim.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

func get(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestTheManifestListsEveryFileOnTheSimulatorsOwnOrigin(t *testing.T) {
	_, base := start(t, feedsim.Config{Region: "25", TimeZone: "Asia/Vladivostok"})
	resp := get(t, base+"/$bulk-publish", nil)
	var m wire.Manifest
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if m.Request != base+"/$bulk-publish" || len(m.Output) != 4 || m.Error == nil {
		t.Fatalf("manifest: %+v", m)
	}
	if _, err := time.Parse(time.RFC3339, m.TransactionTime); err != nil {
		t.Fatalf("transactionTime: %v", err)
	}
	for _, o := range m.Output {
		if !strings.HasPrefix(o.URL, base+"/data/") {
			t.Fatalf("file off the origin: %s", o.URL)
		}
		f := get(t, o.URL, nil)
		if f.Header.Get("Content-Type") != wire.NDJSONContentType || f.Header.Get("ETag") == "" {
			t.Fatalf("%s: %v", o.URL, f.Header)
		}
		sc := bufio.NewScanner(f.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var res struct{ ResourceType string }
			if err := json.Unmarshal(sc.Bytes(), &res); err != nil || res.ResourceType != o.Type {
				t.Fatalf("%s line %q: %v", o.URL, sc.Text(), err)
			}
		}
	}
}

func TestValidatorsAnswer304UntilTheDataChanges(t *testing.T) {
	sim, base := start(t, feedsim.Config{Region: "25", TimeZone: "Asia/Vladivostok"})
	first := get(t, base+"/$bulk-publish", nil)
	etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if etag == "" || modified == "" {
		t.Fatalf("validators missing: %v", first.Header)
	}
	for name, h := range map[string]map[string]string{
		"If-None-Match":     {"If-None-Match": etag},
		"If-Modified-Since": {"If-Modified-Since": modified},
	} {
		if got := get(t, base+"/$bulk-publish", h).StatusCode; got != http.StatusNotModified {
			t.Errorf("%s: status %d, want 304", name, got)
		}
	}
	if err := sim.SetSlotStatus(sim.SlotIDs(wire.StatusFree)[0], wire.StatusBusy); err != nil {
		t.Fatal(err)
	}
	again := get(t, base+"/$bulk-publish", map[string]string{"If-None-Match": etag, "If-Modified-Since": modified})
	if again.StatusCode != http.StatusOK || again.Header.Get("Last-Modified") == modified {
		t.Fatalf("after a change: status %d, Last-Modified %s", again.StatusCode, again.Header.Get("Last-Modified"))
	}
}

func TestAdminNeedsTheTokenWhenOneIsConfigured(t *testing.T) {
	_, base := start(t, feedsim.Config{Region: "25", AdminToken: "0123456789abcdef"})
	put := func(token, body string) int {
		req, _ := http.NewRequest(http.MethodPut, base+"/admin/faults", strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cases := []struct {
		name, token, body string
		want              int
	}{
		{"no token is unauthorized", "", `{"down":true}`, http.StatusUnauthorized},
		{"a wrong token is unauthorized", "fedcba9876543210", `{"down":true}`, http.StatusUnauthorized},
		{"an out-of-range fault is refused", "0123456789abcdef", `{"broken_line_rate":2}`, http.StatusBadRequest},
		{"an unknown field is refused", "0123456789abcdef", `{"commit_rate":1}`, http.StatusBadRequest},
		{"the token sets the faults", "0123456789abcdef", `{"down":true}`, http.StatusOK},
	}
	for _, c := range cases {
		if got := put(c.token, c.body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	if got := get(t, base+"/$bulk-publish", nil).StatusCode; got != http.StatusServiceUnavailable {
		t.Errorf("down: status %d, want 503", got)
	}
}

func TestAHugeFileRunsOnPastItsSlots(t *testing.T) {
	sim, base := start(t, feedsim.Config{Region: "25"})
	if err := sim.SetFaults(feedsim.Faults{HugeFileMB: 2}); err != nil {
		t.Fatal(err)
	}
	resp := get(t, base+"/data/slots-L-1.ndjson", nil)
	n, _ := bufio.NewReader(resp.Body).Discard(3 << 20)
	if n < 2<<20 {
		t.Fatalf("huge file: %d bytes", n)
	}
}

// An error rate of 1 fails every feed request and never the admin
// endpoints; a rate out of range is refused and changes nothing.
func TestTheErrorRateFailsFeedRequestsOnly(t *testing.T) {
	sim, base := start(t, feedsim.Config{Region: "27", TimeZone: "Asia/Vladivostok"})
	if err := sim.SetFaults(feedsim.Faults{ErrorRate: 1.5}); err == nil {
		t.Fatal("an error rate of 1.5 was accepted")
	}
	if err := sim.SetFaults(feedsim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, base+"/$bulk-publish", nil).StatusCode; got != http.StatusInternalServerError {
		t.Errorf("manifest under error_rate 1: status %d, want 500", got)
	}
	if got := get(t, base+"/admin/faults", nil).StatusCode; got != http.StatusOK {
		t.Errorf("admin under error_rate 1: status %d, want 200", got)
	}
}

// slotIDs reads the ids of the publication's Slot file.
func slotIDs(t *testing.T, base string) []string {
	t.Helper()
	var m wire.Manifest
	if err := json.NewDecoder(get(t, base+"/$bulk-publish", nil).Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range m.Output {
		if o.Type != wire.TypeSlot {
			continue
		}
		sc := bufio.NewScanner(get(t, o.URL, nil).Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var s struct{ ID string }
			if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func TestAPublishersSlotIdsCarryItsPrefixSoTwoPublishersNeverShareOne(t *testing.T) {
	cfg := feedsim.Config{Region: "25", TimeZone: "Asia/Vladivostok", Seed: 3}
	_, base := start(t, cfg)
	plain := slotIDs(t, base)
	if len(plain) == 0 || plain[0] != "S-1" {
		t.Fatalf("default ids start %v, want S-1", plain[:min(1, len(plain))])
	}
	cfg.SlotPrefix = "S-run7-"
	_, other := start(t, cfg)
	prefixed := slotIDs(t, other)
	if len(prefixed) != len(plain) {
		t.Fatalf("%d slots with a prefix, %d without: the prefix changed the data set", len(prefixed), len(plain))
	}
	for i, id := range prefixed {
		if id != "S-run7-"+strings.TrimPrefix(plain[i], "S-") {
			t.Fatalf("slot %d is %q, want %q", i, id, "S-run7-"+strings.TrimPrefix(plain[i], "S-"))
		}
	}
}
