package regions_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/missim/feedsim"
)

func feedRegion(t *testing.T) (regions.Config, *feedsim.Server) {
	t.Helper()
	sim, err := feedsim.New(feedsim.Config{Region: "25", TimeZone: "Asia/Vladivostok", Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return regions.Config{Code: "25", Name: "Приморский край", TimeZone: "Asia/Vladivostok", Kind: contracts.RegionFeed,
		Feed: feed.Config{BaseURL: srv.URL, PollInterval: 50 * time.Millisecond, Timeout: 5 * time.Second}}, sim
}

func waitSynced(t *testing.T, reg *regions.Registry, code string) time.Time {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if last, known, ok := reg.FeedSync(code); ok && known {
			return last
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("region %s: the poller never synced", code)
	return time.Time{}
}

func TestAFeedRegionSearchesItsPolledSlotsAndRefusesToBook(t *testing.T) {
	cfg, _ := feedRegion(t)
	reg, err := regions.NewRegistry([]regions.Config{cfg, regionConfig("77", "Europe/Moscow", "http://127.0.0.1:1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, known, ok := reg.FeedSync("77"); ok || known {
		t.Fatal("a fhir region must have no feed state")
	}
	first := waitSynced(t, reg, "25")
	mis, _ := reg.MIS("25")
	ctx := context.Background()
	slots, err := mis.SearchSlots(ctx, contracts.SlotQuery{Limit: 3})
	if err != nil || len(slots) != 3 {
		t.Fatalf("search through the guarded port: %d slots, %v", len(slots), err)
	}
	if sl, err := mis.ReadSlot(ctx, slots[0].ID); err != nil || !sl.Free {
		t.Fatalf("read slot: %+v, %v", sl, err)
	}
	for name, call := range map[string]func() error{
		"hold": func() error {
			_, err := mis.Hold(ctx, contracts.HoldRequest{SlotID: slots[0].ID, IdempotencyKey: "k"})
			return err
		},
		"book": func() error {
			_, err := mis.Book(ctx, contracts.BookRequest{AppointmentID: "A-1", IdempotencyKey: "k"})
			return err
		},
		"cancel": func() error { _, err := mis.Cancel(ctx, "A-1", "k"); return err },
		"find": func() error {
			_, err := mis.FindHold(ctx, contracts.HoldRequest{SlotID: slots[0].ID, IdempotencyKey: "k"})
			return err
		},
	} {
		if err := call(); !errors.Is(err, contracts.ErrInvalid) {
			t.Errorf("%s on a feed region: %v, want ErrInvalid", name, err)
		}
	}
	if st := reg.Status("25"); st != contracts.RegionAvailable {
		t.Errorf("refusals must not count against the region: status %s", st)
	}

	// The poller keeps polling until Close.
	deadline := time.Now().Add(5 * time.Second)
	for last, _, _ := reg.FeedSync("25"); !last.After(first); last, _, _ = reg.FeedSync("25") {
		if time.Now().After(deadline) {
			t.Fatal("no second sync: the poller does not run")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestClosingTheRegistryStopsTheFeedPoller(t *testing.T) {
	cfg, _ := feedRegion(t)
	reg, err := regions.NewRegistry([]regions.Config{cfg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitSynced(t, reg, "25")
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
	stopped, _, _ := reg.FeedSync("25")
	time.Sleep(200 * time.Millisecond) // four poll intervals
	if last, _, _ := reg.FeedSync("25"); !last.Equal(stopped) {
		t.Fatalf("the poller synced after Close: %v then %v", stopped, last)
	}
}

func TestAFeedRegionWithABadFeedSectionIsRefused(t *testing.T) {
	cfg, _ := feedRegion(t)
	cfg.Feed.BaseURL = "ftp://feeds.example/25"
	if _, err := regions.NewRegistry([]regions.Config{cfg}, nil); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}
