package feed_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/feed/wire"
	"github.com/fedhealth/federation/regions/missim/feedsim"
)

func TestAFullSyncKeepsEverySlotOfThePublisher(t *testing.T) {
	sim, base := startSim(t)
	clk := clockAt(time.Now())
	src := newSource(t, base, clk)
	if src.Availability() != feed.AvailabilityUnknown {
		t.Fatal("a source never synced must be unknown")
	}
	if _, err := src.SearchSlots(context.Background(), contracts.SlotQuery{}); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("search before the first sync: %v, want ErrRegionUnavailable", err)
	}
	mustSync(t, src)

	st := src.Status()
	free, busy := sim.SlotIDs(wire.StatusFree), sim.SlotIDs(wire.StatusBusy)
	if st.Availability != feed.AvailabilityKnown || !st.LastSync.Equal(clk.Now()) || st.LastOutcome != feed.OutcomeOK {
		t.Fatalf("status after a good sync: %+v", st)
	}
	if st.Locations != 2 || st.Schedules != 6 || st.Slots != len(free)+len(busy) || len(st.Skipped) != 0 {
		t.Fatalf("data set: %+v, want 2 locations, 6 schedules, %d slots, nothing skipped", st, len(free)+len(busy))
	}
	slots, err := src.SearchSlots(context.Background(), contracts.SlotQuery{Limit: 1000})
	if err != nil || len(slots) == 0 || len(slots) != st.FreeSlots {
		t.Fatalf("search: %d slots, %v; status says %d free", len(slots), err, st.FreeSlots)
	}
	for i, sl := range slots {
		if sl.Start.Location().String() != vladivostok || !sl.Free || sl.Facility.Name == "" || sl.Practitioner.Name == "" || sl.Specialty.Code == "" {
			t.Fatalf("slot %d not resolved in the region's zone: %+v", i, sl)
		}
		if i > 0 && sl.Start.Before(slots[i-1].Start) {
			t.Fatal("slots not ordered by start")
		}
	}
	c, err := src.Contact(context.Background(), slots[0].ID)
	if err != nil || !strings.Contains(c.DeepLink, slots[0].ID) || !strings.HasPrefix(c.Phone, "+7") || c.Capacity != 1 {
		t.Fatalf("contact: %+v, %v", c, err)
	}
	busySlot, err := src.ReadSlot(context.Background(), busy[0])
	if err != nil || busySlot.Free {
		t.Fatalf("a busy slot reads %+v, %v", busySlot, err)
	}
}

func TestAnUnchangedFeedAnswers304AndCountsAsASuccessfulSync(t *testing.T) {
	sim, base := startSim(t)
	clk := clockAt(time.Now())
	src := newSource(t, base, clk)
	mustSync(t, src)
	clk.Advance(time.Minute)
	mustSync(t, src)
	if st := src.Status(); st.LastOutcome != feed.OutcomeNotModified || !st.LastSync.Equal(clk.Now()) || st.Slots == 0 {
		t.Fatalf("after a 304: %+v", st)
	}

	if err := sim.SetSlotStatus(sim.SlotIDs(wire.StatusFree)[0], wire.StatusBusy); err != nil {
		t.Fatal(err)
	}
	mustSync(t, src)
	if st := src.Status(); st.LastOutcome != feed.OutcomeOK {
		t.Fatalf("a changed feed must be read again, outcome %s", st.LastOutcome)
	}
}

func TestAStaleFeedTurnsUnknownAndAGoodSyncMakesItKnownAgain(t *testing.T) {
	_, base := startSim(t)
	clk := clockAt(time.Now())
	src := newSource(t, base, clk) // stale after 3 minutes
	mustSync(t, src)
	offered, err := src.SearchSlots(context.Background(), contracts.SlotQuery{Limit: 1})
	if err != nil || len(offered) != 1 {
		t.Fatalf("search of a fresh feed: %v, %v", offered, err)
	}
	offeredID := offered[0].ID

	clk.Advance(3 * time.Minute)
	if src.Availability() != feed.AvailabilityKnown {
		t.Fatal("a sync exactly at the bound is still known")
	}
	clk.Advance(time.Second)
	if src.Availability() != feed.AvailabilityUnknown {
		t.Fatal("a sync older than the bound must be unknown")
	}
	_, err = src.SearchSlots(context.Background(), contracts.SlotQuery{})
	if !errors.Is(err, contracts.ErrRegionUnavailable) || !strings.Contains(err.Error(), "last read at") {
		t.Fatalf("search on a stale feed: %v", err)
	}
	// A slot read to be booked is refused alike: the feed may have given
	// it away since.
	if _, err := src.ReadSlot(context.Background(), offeredID); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("reading a slot of a stale feed: %v, want ErrRegionUnavailable as search", err)
	}
	mustSync(t, src) // 304
	if src.Availability() != feed.AvailabilityKnown {
		t.Fatal("a 304 must make the feed known again")
	}
}

func TestAFeedThatGoesDownKeepsItsLastDataAndTurnsUnknown(t *testing.T) {
	sim, base := startSim(t)
	clk := clockAt(time.Now())
	src := newSource(t, base, clk)
	mustSync(t, src)
	before := src.Status()

	setFaults(t, sim, feedsim.Faults{Down: true})
	for range 3 {
		clk.Advance(time.Minute)
		if err := src.Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "status 503") {
			t.Fatalf("sync of a down feed: %v", err)
		}
	}
	st := src.Status()
	if st.Availability != feed.AvailabilityKnown || st.LastOutcome != feed.OutcomeUnavailable || st.LastError == "" || st.Slots != before.Slots {
		t.Fatalf("down within the bound: %+v", st)
	}
	clk.Advance(time.Minute)
	_ = src.Sync(context.Background())
	if st := src.Status(); st.Availability != feed.AvailabilityUnknown || !st.LastSync.Equal(before.LastSync) || st.Slots != before.Slots {
		t.Fatalf("down past the bound: %+v", st)
	}
	free := sim.SlotIDs(wire.StatusFree)[0]
	if _, err := src.ReadSlot(context.Background(), free); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("a slot read to be booked from a stale feed: %v, want ErrRegionUnavailable", err)
	}

	setFaults(t, sim, feedsim.Faults{})
	mustSync(t, src)
	if src.Availability() != feed.AvailabilityKnown {
		t.Fatal("back up: must be known again")
	}
	if _, err := src.ReadSlot(context.Background(), free); err != nil {
		t.Fatalf("back up, the data serves reads again: %v", err)
	}
}

func TestABrokenLineIsSkippedAndCountedAndTheRestKept(t *testing.T) {
	sim, base := startSim(t)
	all := len(sim.SlotIDs(wire.StatusFree)) + len(sim.SlotIDs(wire.StatusBusy))
	setFaults(t, sim, feedsim.Faults{BrokenLineRate: 0.05})
	_, broken := sim.Version()
	if broken == 0 {
		t.Fatal("the simulator broke no line")
	}
	src := newSource(t, base, clockAt(time.Now()))
	mustSync(t, src)
	st := src.Status()
	if st.Skipped[feed.SkipMalformed] != broken || st.Slots != all-broken || st.LastOutcome != feed.OutcomeOK {
		t.Fatalf("skipped %v, kept %d slots; want %d malformed and %d kept", st.Skipped, st.Slots, broken, all-broken)
	}
}

func TestAManifestPointingAtAnotherHostIsRefusedAndTheLastDataKept(t *testing.T) {
	sim, base := startSim(t)
	clk := clockAt(time.Now())
	src := newSource(t, base, clk)
	mustSync(t, src)
	slots := src.Status().Slots

	setFaults(t, sim, feedsim.Faults{ForeignHost: "metadata.internal:80"})
	clk.Advance(time.Minute)
	err := src.Sync(context.Background())
	if !errors.Is(err, feed.ErrForeignOrigin) || !strings.Contains(err.Error(), "metadata.internal") {
		t.Fatalf("sync of a manifest on another host: %v", err)
	}
	st := src.Status()
	if st.LastOutcome != feed.OutcomeRefused || st.RefusedManifests != 1 || st.Slots != slots || st.LastSync.Equal(clk.Now()) {
		t.Fatalf("after the refusal: %+v", st)
	}
	setFaults(t, sim, feedsim.Faults{})
	mustSync(t, src)
	if st := src.Status(); st.LastOutcome != feed.OutcomeNotModified {
		t.Fatalf("the good manifest again must be a 304, got %s", st.LastOutcome)
	}
}

func TestAHugeFileIsCutWithAClearErrorAndTheLastDataKept(t *testing.T) {
	sim, base := startSim(t)
	clk := clockAt(time.Now())
	src := newSource(t, base, clk, func(c *feed.Config) { c.MaxFileBytes = 1 << 20 })
	mustSync(t, src)
	slots := src.Status().Slots

	setFaults(t, sim, feedsim.Faults{HugeFileMB: 64})
	clk.Advance(time.Minute)
	if err := sim.SetSlotStatus(sim.SlotIDs(wire.StatusFree)[0], wire.StatusBusy); err != nil {
		t.Fatal(err) // a new version, so the files are fetched again
	}
	err := src.Sync(context.Background())
	if !errors.Is(err, feed.ErrTooLarge) || !strings.Contains(err.Error(), "more than 1048576 bytes") {
		t.Fatalf("sync of a huge file: %v", err)
	}
	if st := src.Status(); st.LastOutcome != feed.OutcomeTooLarge || st.Slots != slots {
		t.Fatalf("after the huge file: %+v", st)
	}
}
