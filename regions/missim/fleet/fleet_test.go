package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/fleet"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// The default five regions hold every kind the registry serves, with
// Moscow of the city JSON-RPC style and at least two FHIR regions.
func TestTheDefaultRegionsHoldEveryKind(t *testing.T) {
	def := fleet.Regions[:5]
	kinds := map[contracts.RegionKind]int{}
	for _, r := range def {
		kinds[r.Kind]++
	}
	if def[0].Code != "77" || def[0].Kind != contracts.RegionJSONRPC {
		t.Errorf("the first region is %+v, want 77 of kind jsonrpc", def[0])
	}
	if kinds[contracts.RegionFHIR] < 2 || kinds[contracts.RegionSOAP] < 1 || kinds[contracts.RegionJSONRPC] < 1 {
		t.Errorf("the default regions' kinds %v, want every kind and two fhir", kinds)
	}
	for _, r := range fleet.AllFHIR(def) {
		if r.Kind != contracts.RegionFHIR {
			t.Errorf("AllFHIR left %s of kind %s", r.Code, r.Kind)
		}
	}
	if def[0].Kind != contracts.RegionJSONRPC {
		t.Error("AllFHIR changed the table it was given")
	}
}

// Every simulator of the fleet, whatever its kind, is reached by the
// registry entry RegistryConfigs makes for it (a slot found, held and
// booked through the real adapter), shows the appointment in the one
// admin view, and takes the same faults over the same admin endpoint.
func TestEveryKindIsReachedAndDrivenThroughOneAdminSurface(t *testing.T) {
	sims, err := fleet.StartSimulators(fleet.Regions[:5], 3, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.CloseAll(sims) })
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := regions.NewRegistry(fleet.RegistryConfigs(sims), nil, regions.WithLedger(l))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	ctx := context.Background()
	patient := contracts.Patient{SNILS: "11223344595", OMS: "7700000000001230", BirthDate: "1980-01-02"}
	for _, s := range sims {
		t.Run(s.Region.Code+" "+string(s.Kind()), func(t *testing.T) {
			mis, err := reg.MIS(s.Region.Code)
			if err != nil {
				t.Fatal(err)
			}
			slots, err := mis.SearchSlots(ctx, contracts.SlotQuery{Specialty: missim.SpecialtyNeurology, From: time.Now().Add(time.Hour), Limit: 1})
			if err != nil || len(slots) != 1 {
				t.Fatalf("search = %v, %v", slots, err)
			}
			key := contracts.StepKey("fleet-"+s.Region.Code, contracts.StepHold)
			hold := contracts.HoldRequest{SlotID: slots[0].ID, Patient: patient, IdempotencyKey: key}
			held, err := mis.Hold(ctx, hold)
			if err != nil {
				t.Fatalf("hold: %v", err)
			}
			book := contracts.BookRequest{AppointmentID: held.ID, Hold: hold, IdempotencyKey: contracts.StepKey("fleet-"+s.Region.Code, contracts.StepBook)}
			if _, err := mis.Book(ctx, book); err != nil {
				t.Fatalf("book: %v", err)
			}
			appts := s.Appointments()
			if len(appts) != 1 || appts[0].ID != held.ID || appts[0].SlotID != slots[0].ID || !strings.EqualFold(appts[0].Status, "booked") {
				t.Fatalf("admin view %+v, want %s booked on %s", appts, held.ID, slots[0].ID)
			}
			put(t, s.URL+"/admin/faults", `{"down":true}`)
			if !s.Faults().Down {
				t.Fatal("PUT /admin/faults did not take the simulator down")
			}
			if _, err := mis.SearchSlots(ctx, contracts.SlotQuery{Limit: 1}); !errors.Is(err, contracts.ErrRegionUnavailable) {
				t.Errorf("search while down: %v, want region unavailable", err)
			}
			if err := s.SetFaults(s.Faults()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func put(t *testing.T, url, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %d", url, resp.StatusCode)
	}
}

// One seed shows one directory in every style: the simulators of every
// kind lay out their regions from missim's generator (missim.Directory,
// missim.SlotStarts), so the same doctors work the same hours.
func TestEveryStyleShowsTheSameDirectoryForOneSeed(t *testing.T) {
	var sims []*fleet.Simulator
	for _, r := range []fleet.Region{fleet.Regions[1], fleet.Regions[2], fleet.Regions[0]} { // fhir, soap, jsonrpc
		sim, err := fleet.Start(r, missim.Config{Region: r.Code, TimeZone: r.TimeZone, Seed: 9}, "127.0.0.1:0", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sim.Close() })
		sims = append(sims, sim)
	}
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := regions.NewRegistry(fleet.RegistryConfigs(sims), nil, regions.WithLedger(l))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	from := time.Now().AddDate(0, 0, 1)
	var first []string
	for i, s := range sims {
		mis, err := reg.MIS(s.Region.Code)
		if err != nil {
			t.Fatal(err)
		}
		slots, err := mis.SearchSlots(context.Background(), contracts.SlotQuery{From: from, To: from, Limit: 1000})
		if err != nil || len(slots) == 0 {
			t.Fatalf("%s: search = %d slots, %v", s.Kind(), len(slots), err)
		}
		var seen []string
		for _, sl := range slots {
			seen = append(seen, fmt.Sprintf("%s %s %s %s", sl.Start.Format("15:04"), sl.Practitioner.Name, sl.Specialty.Code, sl.Facility.Name))
		}
		slices.Sort(seen)
		if i == 0 {
			first = seen
		} else if !slices.Equal(seen, first) {
			t.Errorf("%s shows %d slots unlike fhir's %d (first %q vs %q)", s.Kind(), len(seen), len(first), seen[0], first[0])
		}
	}
}

// The default regions add a feed region to the five that book at an MIS;
// its simulator is a slot publisher that the registry entry polls (its
// slots are searched through the real feed adapter), whose admin view
// holds no appointments, which a down or erring fault makes unavailable,
// and which refuses a commit fault rather than pretend to apply it.
func TestTheFeedRegionIsAPublisherThatTheRegistryPolls(t *testing.T) {
	def := fleet.Regions[:fleet.DefaultCount]
	if got := fleet.Kinds(def); !slices.Contains(got, contracts.RegionFeed) || len(got) != 4 {
		t.Fatalf("the default regions' kinds are %v, want fhir, soap, jsonrpc and feed", got)
	}
	var r fleet.Region
	for _, x := range def {
		if x.Kind == contracts.RegionFeed {
			r = x
		}
	}
	sim, err := fleet.Start(r, missim.Config{Region: r.Code, TimeZone: r.TimeZone, Seed: 5}, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	if sim.Feed == nil || sim.KeepsAppointments() || len(sim.Appointments()) != 0 {
		t.Fatalf("feed simulator: publisher %v, keeps appointments %v, %d appointments", sim.Feed != nil, sim.KeepsAppointments(), len(sim.Appointments()))
	}
	cfgs := fleet.RegistryConfigs([]*fleet.Simulator{sim})
	if cfgs[0].Feed.BaseURL != sim.URL || cfgs[0].Feed.PollInterval != fleet.FeedPollInterval {
		t.Fatalf("feed section %+v, want base %s polled every %s", cfgs[0].Feed, sim.URL, fleet.FeedPollInterval)
	}
	reg, err := regions.NewRegistry(cfgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	mis, err := reg.MIS(r.Code)
	if err != nil {
		t.Fatal(err)
	}
	search := func() ([]contracts.Slot, error) {
		return mis.SearchSlots(context.Background(), contracts.SlotQuery{From: time.Now().Add(time.Hour), Limit: 5})
	}
	var slots []contracts.Slot
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if slots, err = search(); err == nil && len(slots) > 0 {
			break
		}
	}
	if len(slots) == 0 {
		t.Fatalf("no slot of the feed after the first polls: %v", err)
	}
	if err := sim.SetFaults(missim.Faults{TimeoutAfterCommitRate: 0.5}); !errors.Is(err, fleet.ErrNoCommitAtPublisher) {
		t.Errorf("a commit fault at a publisher: %v, want ErrNoCommitAtPublisher", err)
	}
	if err := sim.SetFaults(missim.Faults{ErrorRate: 0.2, LatencyMS: 3}); err != nil {
		t.Fatal(err)
	}
	if f := sim.Feed.Faults(); f.ErrorRate != 0.2 || f.LatencyMS != 3 || sim.Faults().ErrorRate != 0.2 {
		t.Errorf("publisher faults %+v after an error rate of 0.2 and 3 ms", f)
	}
	if err := sim.SetFaults(missim.Faults{Down: true}); err != nil {
		t.Fatal(err)
	}
	// Stale after three missed polls: availability unknown, search refused.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err = search(); err != nil {
			break
		}
	}
	if !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Errorf("search of a publisher down for three polls: %v, want region unavailable", err)
	}
}
