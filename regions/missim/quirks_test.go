package missim_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
)

func TestQuirksAreParsedCheckedPerKindAndShownOnTheAdminSurface(t *testing.T) {
	q, err := missim.ParseQuirks([]string{"slow-hold", "bad-json", "slow-hold"})
	if err != nil || !slices.Equal(q, missim.Quirks{missim.QuirkSlowHold, missim.QuirkBadJSON}) {
		t.Fatalf("ParseQuirks: %v, %v; want slow-hold and bad-json once each", q, err)
	}
	if _, err := missim.ParseQuirks([]string{"sleepy"}); !errors.Is(err, missim.ErrUnknownQuirk) {
		t.Errorf("an unknown quirk: %v, want ErrUnknownQuirk", err)
	}
	for _, x := range missim.KnownQuirks() {
		if len(missim.QuirkKinds(x)) == 0 {
			t.Errorf("%s: no simulator has it", x)
		}
	}
	if err := (missim.Quirks{missim.QuirkBadManifest}).Check(contracts.RegionFHIR); err == nil {
		t.Error("the FHIR simulator accepted bad-manifest, though it publishes no feed")
	}
	if err := (missim.Quirks{missim.QuirkNoHoldExpiry}).Check(contracts.RegionSOAP); err == nil {
		t.Error("a soap simulator accepted no-hold-expiry, though it has no holds")
	}
	srv, err := missim.New(missim.Config{Region: "78", Quirks: q}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/admin/quirks")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct{ Quirks []string }
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || !slices.Equal(got.Quirks, []string{"slow-hold", "bad-json"}) {
		t.Errorf("GET /admin/quirks: %v, %v; want slow-hold and bad-json", got, err)
	}
}
