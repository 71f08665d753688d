package regions_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/fhir"
)

func regionConfig(code, tz, baseURL string) regions.Config {
	return regions.Config{
		Code: code, Name: "Region " + code, TimeZone: tz,
		MIS: fhir.Config{
			BaseURL:     baseURL,
			CallTimeout: 200 * time.Millisecond,
			Retry:       fhir.RetryConfig{MaxAttempts: 2, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond},
		},
		Breaker: breaker.Config{ConsecutiveFailures: 3, OpenTimeout: time.Hour},
	}
}

func TestRegistryRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		cfgs []regions.Config
	}{
		{"a region configured twice is rejected", []regions.Config{
			regionConfig("77", "Europe/Moscow", "http://127.0.0.1:1"),
			regionConfig("77", "Europe/Moscow", "http://127.0.0.1:2"),
		}},
		{"a time zone that does not load is rejected", []regions.Config{
			regionConfig("25", "Asia/Atlantis", "http://127.0.0.1:1"),
		}},
		{"a malformed code is rejected", []regions.Config{
			regionConfig("77-1", "Europe/Moscow", "http://127.0.0.1:1"),
		}},
		{"an MIS endpoint that is not a URL is rejected", []regions.Config{
			regionConfig("16", "Europe/Moscow", "mis.example:8080"),
		}},
		{"a kind no adapter speaks is rejected", []regions.Config{
			func() regions.Config {
				c := regionConfig("16", "Europe/Moscow", "http://127.0.0.1:1")
				c.Kind = "telegraph"
				return c
			}(),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := regions.NewRegistry(tt.cfgs, nil); !errors.Is(err, contracts.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func newMIS(t *testing.T, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", misv2.ContentType)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(misv2.Bundle{ResourceType: "Bundle", Type: "searchset"})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOneRegionDownLeavesTheOtherAvailable(t *testing.T) {
	down, up := newMIS(t, http.StatusServiceUnavailable), newMIS(t, http.StatusOK)
	reg, err := regions.NewRegistry([]regions.Config{
		regionConfig("78", "Europe/Moscow", up.URL),
		regionConfig("25", "Asia/Vladivostok", down.URL),
	}, nil)
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	for range 4 {
		for _, code := range []string{"25", "78"} {
			mis, err := reg.MIS(code)
			if err != nil {
				t.Fatalf("MIS(%s): %v", code, err)
			}
			_, err = mis.SearchSlots(context.Background(), contracts.SlotQuery{})
			if code == "78" && err != nil {
				t.Fatalf("healthy region: %v", err)
			}
		}
	}
	if got := reg.Status("25"); got != contracts.RegionUnavailable {
		t.Errorf("status of the region that is down = %s, want unavailable", got)
	}
	if got := reg.Status("78"); got != contracts.RegionAvailable {
		t.Errorf("status of the healthy region = %s, want available", got)
	}
}

func TestRegistryLooksRegionsUp(t *testing.T) {
	reg, err := regions.NewRegistry([]regions.Config{
		regionConfig("78", "Europe/Moscow", "http://127.0.0.1:1"),
		regionConfig("25", "Asia/Vladivostok", "http://127.0.0.1:1"),
	}, nil)
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	if got := reg.Regions(); len(got) != 2 || got[0].Code != "25" || got[1].Code != "78" {
		t.Errorf("Regions() = %v, want sorted by code", got)
	}
	if got := reg.Regions()[0].Kind; got != contracts.RegionFHIR {
		t.Errorf("a region without a kind is of kind %q, want fhir", got)
	}
	if loc := reg.Location("25"); loc == nil || loc.String() != "Asia/Vladivostok" {
		t.Errorf("Location(25) = %v", loc)
	}
	if _, err := reg.MIS("99"); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("MIS(99) err = %v, want ErrNotFound", err)
	}
	if reg.Status("99") != contracts.RegionUnavailable || reg.Location("99") != nil {
		t.Errorf("an unknown region must read unavailable and have no location")
	}
}

func TestTheCallObserverLearnsEachRegionsCallsByName(t *testing.T) {
	down, up := newMIS(t, http.StatusServiceUnavailable), newMIS(t, http.StatusOK)
	type call struct {
		region, op string
		outcome    breaker.Outcome
	}
	var (
		mu  sync.Mutex
		got []call
	)
	reg, err := regions.NewRegistry([]regions.Config{
		regionConfig("78", "Europe/Moscow", up.URL),
		regionConfig("25", "Asia/Vladivostok", down.URL),
	}, nil, regions.WithCallObserver(func(region, op string, _ time.Duration, o breaker.Outcome) {
		mu.Lock()
		got = append(got, call{region, op, o})
		mu.Unlock()
	}))
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	for _, code := range []string{"78", "25"} {
		mis, _ := reg.MIS(code)
		_, _ = mis.SearchSlots(context.Background(), contracts.SlotQuery{})
	}
	mu.Lock()
	defer mu.Unlock()
	want := []call{{"78", "search_slots", breaker.OutcomeOK}, {"25", "search_slots", breaker.OutcomeFailed}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("observed %v, want %v", got, want)
	}
}
