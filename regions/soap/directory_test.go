package soap_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// wire sits between the client and the simulator: it counts the calls of
// each method and lets a test bend one (delay it, or answer a fault in the
// simulator's place).
type wire struct {
	next http.Handler
	mu   sync.Mutex
	n    map[string]int
	// bend, when set, sees each call (its method, body and how many of
	// that method came before it) and may answer it instead: true means
	// it did.
	bend func(w http.ResponseWriter, method string, body []byte, seen int) bool
}

func (wr *wire) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	method := strings.TrimPrefix(strings.Trim(r.Header.Get("SOAPAction"), `"`), soap.Namespace+"/")
	wr.mu.Lock()
	seen := wr.n[method]
	wr.n[method]++
	bend := wr.bend
	wr.mu.Unlock()
	if bend != nil && bend(w, method, body, seen) {
		return
	}
	wr.next.ServeHTTP(w, r)
}

func (wr *wire) calls(method string) int {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return wr.n[method]
}

// newWiredWorld is newWorld with a wire between client and simulator.
func newWiredWorld(t *testing.T, simCfg soapsim.Config) (*world, *wire) {
	t.Helper()
	simCfg.Region, simCfg.TimeZone = region.Code, tz
	sim, err := soapsim.New(simCfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	wr := &wire{next: sim.Handler(), n: map[string]int{}}
	srv := httptest.NewServer(wr)
	t.Cleanup(srv.Close)
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &world{sim: sim, url: srv.URL, ledger: l, client: newClient(t, srv.URL+"/", l, nil)}, wr
}

// oids are the registry OIDs of the simulated region's organisations, in
// the directory's order, as the simulator's own generator lays them out.
func oids(cfg soapsim.Config) []string {
	cfg.Region, cfg.TimeZone = region.Code, tz
	var out []string
	for _, f := range missim.Directory(cfg) {
		out = append(out, f.OID)
	}
	return out
}

func TestTheDirectoryListsOrganisationsAndTheirPosts(t *testing.T) {
	w, _ := newWiredWorld(t, soapsim.Config{})
	ctx := context.Background()
	mos, err := w.client.Organisations(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(mos))
	for i, mo := range mos {
		got[i] = mo.OID
		if mo.Name == "" || mo.Address == "" {
			t.Errorf("organisation %+v lacks its name or address", mo)
		}
	}
	if want := oids(soapsim.Config{}); !slices.Equal(got, want) {
		t.Fatalf("organisations %v, want the region's %v", got, want)
	}
	// The first doctor of every polyclinic is a therapist, the second
	// (of six) of another post.
	if therapy, err := w.client.Organisations(ctx, missim.SpecialtyTherapy); err != nil || len(therapy) != len(mos) {
		t.Errorf("organisations with therapy: %d, %v; want all %d", len(therapy), err, len(mos))
	}
	if none, err := w.client.Organisations(ctx, "no-such-post"); err != nil || len(none) != 0 {
		t.Errorf("organisations of an unknown post: %v, %v; want none", none, err)
	}

	posts, err := w.client.Posts(ctx, mos[0].OID)
	if err != nil || len(posts) == 0 {
		t.Fatalf("posts of %s: %v, %v", mos[0].OID, posts, err)
	}
	resources := 0
	for _, p := range posts {
		if p.Code == "" || p.Name == "" || len(p.Resources) == 0 {
			t.Errorf("post %+v lacks its code, name or resources", p)
		}
		resources += len(p.Resources)
	}
	if resources != 6 {
		t.Errorf("the posts of %s list %d resources, want the polyclinic's 6 doctors", mos[0].OID, resources)
	}
	// Every slot of the organisation is for one of its posts, by one of
	// their resources.
	slots, err := w.client.SearchSlots(ctx, contracts.SlotQuery{FacilityID: mos[0].OID, Limit: 50})
	if err != nil || len(slots) == 0 {
		t.Fatalf("search of %s: %d slots, %v", mos[0].OID, len(slots), err)
	}
	for _, s := range slots {
		i := slices.IndexFunc(posts, func(p soap.ServicePost) bool { return p.Code == s.Specialty.Code })
		if i < 0 || !slices.ContainsFunc(posts[i].Resources, func(r soap.Resource) bool { return r.ID == s.Practitioner.ID }) {
			t.Errorf("slot %s (post %s, resource %s) is not of a post and resource the directory lists", s.ID, s.Specialty.Code, s.Practitioner.ID)
		}
	}

	_, err = w.client.Posts(ctx, "1.2.643.5.1.13.13.12.2."+region.Code+".999")
	wantKind(t, "posts of an unknown organisation (MO_NOT_FOUND)", err, contracts.KindNotFound)
}

func TestTheDirectoryIsCachedAndAFailureIsNot(t *testing.T) {
	w, wr := newWiredWorld(t, soapsim.Config{})
	ctx := context.Background()
	q := contracts.SlotQuery{Specialty: missim.SpecialtyTherapy, Limit: 5}
	for range 2 {
		if slots, err := w.client.SearchSlots(ctx, q); err != nil || len(slots) != 5 {
			t.Fatalf("search = %d slots, %v", len(slots), err)
		}
	}
	if n := wr.calls(soap.MethodGetMOInfoExtended); n != 1 {
		t.Errorf("two searches within five minutes called GetMOInfoExtended %d times, want 1", n)
	}
	if n := wr.calls(soap.MethodGetScheduleInfo); n != 2*3 {
		t.Errorf("two searches called GetScheduleInfo %d times, want once per organisation each (6)", n)
	}
	// Another specialty is another entry.
	if _, err := w.client.SearchSlots(ctx, contracts.SlotQuery{Specialty: missim.SpecialtySurgery, Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if n := wr.calls(soap.MethodGetMOInfoExtended); n != 2 {
		t.Errorf("a search of another specialty: GetMOInfoExtended called %d times in all, want 2", n)
	}

	// Searches that find the cache cold at once share one directory call.
	wr.bend = func(_ http.ResponseWriter, method string, _ []byte, _ int) bool {
		if method == soap.MethodGetMOInfoExtended {
			time.Sleep(100 * time.Millisecond) // long enough for all to arrive
		}
		return false
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := w.client.SearchSlots(ctx, contracts.SlotQuery{Specialty: missim.SpecialtyNeurology, Limit: 1}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wr.bend = nil
	if n := wr.calls(soap.MethodGetMOInfoExtended); n != 3 {
		t.Errorf("8 searches of a specialty not yet cached: GetMOInfoExtended called %d times in all, want 3 (one more)", n)
	}

	oid := oids(soapsim.Config{})[1]
	w.setFaults(t, missim.Faults{Down: true})
	_, err := w.client.Posts(ctx, oid)
	wantKind(t, "posts while the MIS is down", err, contracts.KindUnavailable)
	w.setFaults(t, missim.Faults{})
	before := wr.calls(soap.MethodGetServicePostSpecsInfo)
	for range 2 {
		if posts, err := w.client.Posts(ctx, oid); err != nil || len(posts) == 0 {
			t.Fatalf("posts after the MIS is back: %v, %v", posts, err)
		}
	}
	if n := wr.calls(soap.MethodGetServicePostSpecsInfo) - before; n != 1 {
		t.Errorf("after a failed call, two reads of the posts called the MIS %d times, want 1 (the failure not cached, the answer cached)", n)
	}
}

func TestASearchAsksEveryOrganisationAndMergesByStart(t *testing.T) {
	w, wr := newWiredWorld(t, soapsim.Config{Seed: 5})
	ctx := context.Background()
	const limit = 20
	got, err := w.client.SearchSlots(ctx, contracts.SlotQuery{Limit: limit})
	if err != nil || len(got) != limit {
		t.Fatalf("search = %d slots, %v", len(got), err)
	}
	// What the merge must give: every organisation's own first slots,
	// together, by start.
	var want []contracts.Slot
	for _, oid := range oids(soapsim.Config{Seed: 5}) {
		slots, err := w.client.SearchSlots(ctx, contracts.SlotQuery{FacilityID: oid, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, slots...)
	}
	slices.SortStableFunc(want, func(a, b contracts.Slot) int { return a.Start.Compare(b.Start) })
	want = want[:limit]
	facilities := map[string]bool{}
	for i := range got {
		facilities[got[i].Facility.ID] = true
		if got[i].ID != want[i].ID || (i > 0 && got[i].Start.Before(got[i-1].Start)) {
			t.Fatalf("slot #%d is %s at %s, want %s at %s (by start across organisations)", i, got[i].ID, got[i].Start, want[i].ID, want[i].Start)
		}
	}
	if len(facilities) != 3 {
		t.Errorf("the first %d slots come from %d organisations, want all 3 (18 doctors start together, then the first organisation's)", limit, len(facilities))
	}
	if n := wr.calls(soap.MethodGetScheduleInfo); n != 3+3 {
		t.Errorf("GetScheduleInfo called %d times, want 3 for the search and 3 for the check", n)
	}
}

func TestOneOrganisationDownFailsTheSearch(t *testing.T) {
	w, wr := newWiredWorld(t, soapsim.Config{})
	down := oids(soapsim.Config{})[2]
	wr.bend = func(w http.ResponseWriter, method string, body []byte, _ int) bool {
		if method != soap.MethodGetScheduleInfo || !bytes.Contains(body, []byte(">"+down+"<")) {
			return false
		}
		w.Header().Set("Content-Type", soap.ContentType)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(soap.MarshalFault(true, soap.FaultMISUnavailable, "this organisation's schedule is down"))
		return true
	}
	ctx := context.Background()
	slots, err := w.client.SearchSlots(ctx, contracts.SlotQuery{Limit: 10})
	wantKind(t, "a search while one organisation's schedule is down", err, contracts.KindUnavailable)
	if slots != nil {
		t.Errorf("the failed search still answered %d slots", len(slots))
	}
	// The others still answer when named.
	if slots, err := w.client.SearchSlots(ctx, contracts.SlotQuery{FacilityID: oids(soapsim.Config{})[0], Limit: 1}); err != nil || len(slots) != 1 {
		t.Errorf("a search of a working organisation: %d slots, %v", len(slots), err)
	}
}

func TestAnExpiredSessionIsRenewedOnceAndTheBookingLandsOnce(t *testing.T) {
	const lifetime = 300 * time.Millisecond
	w, wr := newWiredWorld(t, soapsim.Config{SessionTTL: lifetime})
	slot := w.firstFree(t, missim.SpecialtyTherapy)
	// The first CreateAppointment arrives after its session has expired;
	// the repeat, with a new session, at once.
	wr.bend = func(_ http.ResponseWriter, method string, _ []byte, seen int) bool {
		if method == soap.MethodCreateAppointment && seen == 0 {
			time.Sleep(2 * lifetime)
		}
		return false
	}
	ctx := context.Background()
	req := contracts.HoldRequest{SlotID: slot.ID, Patient: patient(1), IdempotencyKey: "s/1"}
	a, err := w.client.Hold(ctx, req)
	if err != nil {
		t.Fatalf("hold with an expired session: %v", err)
	}
	if n, m := wr.calls(soap.MethodGetPatientInfo), wr.calls(soap.MethodCreateAppointment); n != 2 || m != 2 {
		t.Errorf("GetPatientInfo %d and CreateAppointment %d times, want 2 each (one new session, one repeat)", n, m)
	}
	again, err := w.client.Hold(ctx, req)
	if err != nil || again.ID != a.ID || wr.calls(soap.MethodCreateAppointment) != 2 {
		t.Errorf("the step repeated gave %q, %v, after %d CreateAppointment calls; want %q from the ledger", again.ID, err, wr.calls(soap.MethodCreateAppointment), a.ID)
	}
	if n := w.booked(); n != 1 {
		t.Errorf("%d live appointments at the MIS, want exactly 1", n)
	}
}

func TestASecondExpiredSessionIsTheRegionsFailure(t *testing.T) {
	const lifetime = 200 * time.Millisecond
	w, wr := newWiredWorld(t, soapsim.Config{SessionTTL: lifetime})
	slot := w.firstFree(t, missim.SpecialtyTherapy)
	wr.bend = func(_ http.ResponseWriter, method string, _ []byte, _ int) bool {
		if method == soap.MethodCreateAppointment {
			time.Sleep(2 * lifetime) // every session expires on the way
		}
		return false
	}
	_, err := w.client.Hold(context.Background(), contracts.HoldRequest{SlotID: slot.ID, Patient: patient(2), IdempotencyKey: "s/2"})
	wantKind(t, "a hold whose new session expired too", err, contracts.KindUnavailable)
	if n := wr.calls(soap.MethodCreateAppointment); n != 2 {
		t.Errorf("CreateAppointment called %d times, want 2 (one repeat, no more)", n)
	}
	if n := w.booked(); n != 0 {
		t.Errorf("%d appointments at the MIS after two refusals, want none", n)
	}
}

func TestAnIncompleteDirectoryStillFindsTheLeftOutOrganisationByName(t *testing.T) {
	cfg := soapsim.Config{Quirks: missim.Quirks{missim.QuirkIncompleteDirectory}}
	w, _ := newWiredWorld(t, cfg)
	ctx := context.Background()
	all := oids(cfg)
	left := all[len(all)-1]
	mos, err := w.client.Organisations(ctx, "")
	if err != nil || len(mos) != len(all)-1 || slices.ContainsFunc(mos, func(mo soap.MOInfo) bool { return mo.OID == left }) {
		t.Fatalf("the lagging directory lists %v, %v; want all but %s", mos, err, left)
	}
	slots, err := w.client.SearchSlots(ctx, contracts.SlotQuery{FacilityID: left, Limit: 3})
	if err != nil || len(slots) != 3 || slots[0].Facility.ID != left {
		t.Fatalf("a search naming the left-out organisation: %v, %v; want its slots", slots, err)
	}
	a, err := w.client.Hold(ctx, contracts.HoldRequest{SlotID: slots[0].ID, Patient: patient(3), IdempotencyKey: "d/1"})
	if err != nil || a.ID == "" {
		t.Fatalf("holding a slot of the left-out organisation: %v", err)
	}
	region, err := w.client.SearchSlots(ctx, contracts.SlotQuery{Limit: 50})
	if err != nil || len(region) == 0 {
		t.Fatalf("a region-wide search: %d slots, %v", len(region), err)
	}
	for _, s := range region {
		if s.Facility.ID == left {
			t.Fatalf("a region-wide search found %s of %s, which the directory does not list", s.ID, left)
		}
	}
}

func TestALostAnswerIsReadBackWithANewSessionAfterTheOldOneExpired(t *testing.T) {
	const lifetime = 300 * time.Millisecond
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		w := newWorld(t, open, soapsim.Config{SessionTTL: lifetime}, func(c *soap.Config) { c.CallTimeout = 200 * time.Millisecond })
		ctx := context.Background()
		slot := w.firstFree(t, missim.SpecialtyNeurology)
		req := contracts.HoldRequest{SlotID: slot.ID, Patient: patient(9), IdempotencyKey: "lost/expired"}
		before := len(w.sim.Appointments())
		w.setFaults(t, missim.Faults{TimeoutAfterCommitRate: 1})
		_, err := w.client.Hold(ctx, req)
		w.setFaults(t, missim.Faults{})
		wantKind(t, "Hold whose answer is lost", err, contracts.KindOutcomeUnknown)
		time.Sleep(2 * lifetime) // the session the ledger kept expires at the MIS
		// Without the patient the old session is all there is: unresolved, not guessed.
		_, err = w.client.FindHold(ctx, contracts.HoldRequest{SlotID: slot.ID, IdempotencyKey: req.IdempotencyKey})
		wantKind(t, "FindHold with an expired session and no patient", err, contracts.KindUnavailable)
		got, err := w.client.FindHold(ctx, req)
		if len(w.sim.Appointments()) != before+1 {
			t.Fatalf("%d appointments at the MIS, want %d", len(w.sim.Appointments()), before+1)
		}
		made := w.sim.Appointments()[before]
		if err != nil || got.ID != made.ID {
			t.Fatalf("FindHold after the session expired = %+v, %v; want %s", got, err, made.ID)
		}
		if again, err := w.client.Hold(ctx, req); err != nil || again.ID != made.ID || len(w.sim.Appointments()) != before+1 {
			t.Fatalf("repeat = %+v, %v, %d appointments", again, err, len(w.sim.Appointments()))
		}
	})
}
