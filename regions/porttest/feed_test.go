package porttest_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/missim/feedsim"
	"github.com/fedhealth/federation/regions/porttest"
)

// A feed region against the slot publisher simulator, as the registry
// builds it (its adapter is the registry's own): search and slot reads
// from the polled data set, and every booking call refused. Its bookings'
// guarantees (one winner per slot, a booked slot not offered again) are
// the broker's, proven by the store suite and the system tests.
func TestTheFeedAdapterKeepsThePortsPromises(t *testing.T) {
	region := contracts.Region{Code: "27", Name: "Khabarovsk Krai", TimeZone: "Asia/Vladivostok", Kind: contracts.RegionFeed}
	sim, err := feedsim.New(feedsim.Config{Region: region.Code, TimeZone: region.TimeZone, Seed: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	reg, err := regions.NewRegistry([]regions.Config{{Code: region.Code, Name: region.Name, TimeZone: region.TimeZone,
		Kind: contracts.RegionFeed, Feed: feed.Config{BaseURL: srv.URL, PollInterval: 50 * time.Millisecond, Timeout: 5 * time.Second}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, known, _ := reg.FeedSync(region.Code); known {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the feed was never read")
		}
		time.Sleep(10 * time.Millisecond)
	}
	mis, err := reg.MIS(region.Code)
	if err != nil {
		t.Fatal(err)
	}
	porttest.Run(t, porttest.Target{MIS: mis, Region: region, BooksElsewhere: true})
}
