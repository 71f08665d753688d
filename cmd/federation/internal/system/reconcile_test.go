package system_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/rpcsim"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/reconcile"
	"github.com/fedhealth/federation/sagas/sqldb"
)

// otherClient is another system's client of the regions' MIS (a call
// centre's, say): its own registry and step ledger over the same
// simulators, so what it changes the broker learns only by asking.
func otherClient(t *testing.T, cfgs []regions.Config) *regions.Registry {
	t.Helper()
	db, err := sqldb.Open(sqldb.Config{Path: filepath.Join(t.TempDir(), "other.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	steps, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := regions.NewRegistry(cfgs, nil, regions.WithLedger(steps))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

// Another client cancels a booking's appointment at a FHIR MIS and at a
// SOAP MIS through their own APIs; one reconciliation pass per region
// finds it, the history then shows the clinic's cancellation with the
// timeline naming reconciliation, a booking both sides agree about is left
// alone, a second pass finds nothing, and a region whose kind cannot read
// by id is refused.
func TestOnePassSettlesAppointmentsCancelledBehindTheBrokersBack(t *testing.T) {
	_, srv := startSOAPSim(t, 3)
	h := newHarness(t, 1, func(o *system.Options) {
		o.Regions = append(o.Regions, soapRegion(srv.URL, 2*time.Second, breaker.Config{MaxConcurrent: 16}))
		o.Reconcile.Interval = -1 // the test runs the passes itself
	})
	ctx := context.Background()
	tok := h.token("reconciled")
	slots77 := h.freeSlots(tok, "77", 2)
	changed := map[string]string{"77": h.book(tok, slots77[0].ID), "41": h.book(tok, h.freeSlots(tok, "41", 1)[0].ID)}
	agrees := h.book(tok, slots77[1].ID)
	for _, id := range []string{changed["77"], changed["41"], agrees} {
		h.waitStatus(tok, id, 10*time.Second, "confirmed")
	}
	other := otherClient(t, h.opts.Regions)
	for region, id := range changed {
		mis, err := other.MIS(region)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mis.Cancel(ctx, h.appointmentOf(id), "call-centre-cancel-"+id); err != nil {
			t.Fatalf("region %s: the other client's cancel: %v", region, err)
		}
	}

	// The simulators offer today's slots, some already over in UTC: a day
	// back covers them.
	since := time.Now().Add(-48 * time.Hour)
	for _, region := range []string{"77", "41"} {
		var found []reconcile.Finding
		res, err := h.sys.Reconcile(ctx, region, reconcile.Options{Since: since},
			func(f reconcile.Finding) error { found = append(found, f); return nil })
		if err != nil {
			t.Fatalf("region %s: %v", region, err)
		}
		if len(found) != 1 || found[0].Kind != reconcile.CancelledAtMIS || !found[0].Repaired || found[0].BookingID != changed[region] {
			t.Fatalf("region %s: pass %+v found %+v, want the one cancelled booking repaired", region, res, found)
		}
		if f := found[0]; f.MISStatus != contracts.AppointmentCancelled || f.BrokerStatus != "confirmed" || f.AppointmentID == "" {
			t.Errorf("region %s: finding %+v", region, f)
		}
		v := h.until(tok, changed[region], "cancelled by the clinic", func(v historyView) bool { return v.Status == "cancelled" })
		last := v.Timeline[len(v.Timeline)-1]
		if v.CancelledBy != "clinic" || last.Source != "reconciliation" || !strings.HasPrefix(v.ReasonCode, "cancelled_by_clinic_") {
			t.Errorf("region %s: history %+v; want cancelled by the clinic, found by reconciliation", region, v)
		}
	}
	if b := h.booking(tok, agrees); b.Status != "confirmed" {
		t.Errorf("the booking both sides agree about is %s", b.Status)
	}
	res, err := h.sys.Reconcile(ctx, "77", reconcile.Options{Since: since},
		func(f reconcile.Finding) error { t.Errorf("second pass found %+v", f); return nil })
	if err != nil || res.Checked != 2 || res.Found != 0 {
		t.Errorf("second pass %+v, %v: want 2 checked, nothing found", res, err)
	}
	passes, err := h.sys.Store.ReconcilePasses(ctx)
	if err != nil || len(passes) != 2 {
		t.Errorf("last passes %+v, %v: want one per region", passes, err)
	}
	if _, err := h.sys.Reconcile(ctx, "99", reconcile.Options{}, nil); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("an unknown region: %v", err)
	}
}

// A JSON-RPC MIS reads only by patient: a confirmed booking there keeps
// its sealed identifiers, a pass finds the appointment another client
// cancelled among the patient's and repairs it, and once the patient
// sweeper has erased the identifiers (after the appointment's end and the
// grace) the booking is no longer read at all.
func TestARegionReadOnlyByPatientIsReconciledWhileItsIdentifiersAreKept(t *testing.T) {
	_, srv := startRPCSim(t, 4)
	h := newHarness(t, 1, func(o *system.Options) {
		o.Regions = append(o.Regions, jsonrpcRegion(srv.URL, 2*time.Second, breaker.Config{MaxConcurrent: 16}))
		o.Reconcile.Interval = -1
	})
	ctx := context.Background()
	tok := h.token("moskvich")
	id := h.book(tok, h.freeSlots(tok, "50", 1)[0].ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	if b := h.stored(id); len(b.PatientSealed) == 0 {
		t.Fatal("a confirmed booking of a region read by patient lost its sealed identifiers")
	}
	mis, err := otherClient(t, h.opts.Regions).MIS("50")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mis.Cancel(ctx, h.appointmentOf(id), "registry-desk-cancel"); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-48 * time.Hour)
	var found []reconcile.Finding
	if _, err := h.sys.Reconcile(ctx, "50", reconcile.Options{Since: since}, func(f reconcile.Finding) error {
		found = append(found, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Kind != reconcile.CancelledAtMIS || !found[0].Repaired {
		t.Fatalf("found %+v, want the cancellation repaired", found)
	}
	h.until(tok, id, "cancelled by the clinic", func(v historyView) bool { return v.Status == "cancelled" && v.CancelledBy == "clinic" })

	// Well past the appointment's end and the grace, the sweeper erases.
	if n, err := h.sys.Store.ErasePatientsPast(ctx, time.Now().Add(365*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("erased %d, %v; want the one booking", n, err)
	}
	if b := h.stored(id); b.PatientSealed != nil {
		t.Fatal("the identifiers are still kept after the sweep")
	}
	res, err := h.sys.Reconcile(ctx, "50", reconcile.Options{Since: since}, func(f reconcile.Finding) error {
		t.Errorf("found %+v without the patient", f)
		return nil
	})
	if err != nil || res.Checked != 0 {
		t.Errorf("pass without the patient: %+v, %v; want nothing read", res, err)
	}
}

// A call centre books at the FHIR MIS for a patient who has a portal
// booking, and for a patient the portal does not know, and drops no
// callback only because none is configured: one pass imports the first,
// by the keys the real pseudonymizer derives from the SNILS the MIS lists,
// into that citizen's history (source clinic, the timeline naming
// reconciliation), leaves the stranger's alone, and a second pass imports
// nothing again.
func TestAPassImportsWhatAClinicBookedElsewhereForAPortalPatient(t *testing.T) {
	h := newHarness(t, 1, func(o *system.Options) { o.Reconcile.Interval = -1 })
	ctx := context.Background()
	maria := h.token("maria")
	portal := h.book(maria, h.freeSlots(maria, "77", 1)[0].ID)
	h.waitStatus(maria, portal, 10*time.Second, "confirmed")
	ca, ok := h.sims["77"].Admin.(missim.ClinicAdmin)
	if !ok || !system.ListsByPeriod(h.sims["77"].Kind()) {
		t.Fatalf("region 77 (%s) cannot book elsewhere or list by period", h.sims["77"].Kind())
	}
	start := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	mine, err := ca.BookElsewhere(missim.ElsewhereRequest{Start: start, End: start.Add(20 * time.Minute),
		SNILS: auth.SyntheticSNILS("maria"), Channel: "call_centre"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.BookElsewhere(missim.ElsewhereRequest{Start: start, End: start.Add(20 * time.Minute),
		SNILS: auth.SyntheticSNILS("stranger"), Channel: "kiosk"}); err != nil {
		t.Fatal(err)
	}

	since := time.Now().Add(-48 * time.Hour)
	var found []reconcile.Finding
	if _, err := h.sys.Reconcile(ctx, "77", reconcile.Options{Since: since},
		func(f reconcile.Finding) error { found = append(found, f); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Kind != reconcile.BookedElsewhere || found[0].AppointmentID != mine.AppointmentID || !found[0].Repaired {
		t.Fatalf("pass found %+v, want maria's appointment %s imported", found, mine.AppointmentID)
	}
	var list struct{ Bookings []historyView }
	for deadline := time.Now().Add(10 * time.Second); len(list.Bookings) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("maria's history %+v lacks the booking made elsewhere within 10s", list.Bookings)
		}
		h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", maria, "", nil), http.StatusOK, &list)
	}
	var imported historyView
	for _, b := range list.Bookings {
		if b.ID != portal {
			imported = b
		}
	}
	if imported.Source != "clinic" || imported.Channel != "call_centre" || imported.Status != "confirmed" || !imported.Slot.Start.Equal(start) {
		t.Errorf("maria sees the import as %+v", imported)
	}
	if v := h.view(maria, imported.ID, "en"); len(v.Timeline) == 0 || v.Timeline[len(v.Timeline)-1].Source != "reconciliation" {
		t.Errorf("the import's timeline %+v; want its entry found by reconciliation", v.Timeline)
	}
	if _, err := h.sys.Reconcile(ctx, "77", reconcile.Options{Since: since}, func(f reconcile.Finding) error {
		t.Errorf("second pass found %+v", f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A JSON-RPC MIS cannot list by period, so no pass finds what its clinic
// booked through another channel: the citizen's own reading of the history
// asks it about them, in the background, and a later read shows the
// booking (source clinic, at the slot's time and with its doctor; channel
// other_portal, since this style does not say which); a stranger's walk-in at the same clinic never shows, and
// reading again within the interval asks the MIS nothing more.
func TestReadingTheHistoryImportsWhatAJSONRPCClinicBookedElsewhere(t *testing.T) {
	sim, err := rpcsim.New(rpcsim.Config{Region: jsonrpcCode, TimeZone: "Europe/Moscow", Seed: 6}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64 // every call the broker makes to the MIS
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		sim.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	h := newHarness(t, 1, func(o *system.Options) {
		o.Reconcile.Interval = -1
		o.Regions = append(o.Regions, jsonrpcRegion(srv.URL, 2*time.Second, breaker.Config{MaxConcurrent: 16}))
	})
	olga := h.token("olga")
	slots := h.freeSlots(olga, jsonrpcCode, 3)
	misSlotID := func(id string) string { return strings.TrimPrefix(id, jsonrpcCode+":") }
	walkIn, err := sim.BookElsewhere(missim.ElsewhereRequest{SlotID: misSlotID(slots[1].ID), OMS: auth.SyntheticOMS("olga"), Channel: "kiosk"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.BookElsewhere(missim.ElsewhereRequest{SlotID: misSlotID(slots[2].ID), OMS: auth.SyntheticOMS("stranger"), Channel: "kiosk"}); err != nil {
		t.Fatal(err)
	}
	var list struct{ Bookings []historyView }
	for deadline := time.Now().Add(10 * time.Second); len(list.Bookings) < 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("olga's history %+v lacks the walk-in within 10s", list.Bookings)
		}
		h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", olga, "", nil), http.StatusOK, &list)
	}
	got := list.Bookings[0]
	if len(list.Bookings) != 1 || got.Source != "clinic" || got.Channel != "other_portal" || got.Status != "confirmed" ||
		!got.Slot.Start.Equal(walkIn.Start) || got.Slot.Practitioner.Name == "" {
		t.Errorf("olga's history %+v; want only the walk-in %+v, confirmed, from another channel, with its doctor", list.Bookings, walkIn)
	}
	before := calls.Load()
	for range 3 {
		h.mustJSON(h.call(http.MethodGet, "/api/v1/bookings", olga, "", nil), http.StatusOK, &list)
	}
	time.Sleep(200 * time.Millisecond)
	if n := calls.Load() - before; n != 0 {
		t.Errorf("three more reads within the interval made %d calls to the MIS, want none", n)
	}
}
