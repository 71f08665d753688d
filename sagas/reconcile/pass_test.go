package reconcile_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/reconcile"
	"github.com/fedhealth/federation/sagas/store"
)

var passNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// tableMIS is an MIS whose appointments and slots are a table the test
// writes, as a clinic's staff would change them. The sagas layer cannot
// reach the simulators (regions); the system tests run the pass against
// them over HTTP.
type tableMIS struct {
	contracts.MIS // the saga calls: never made by a pass
	appts         map[string]contracts.Appointment
	slots         map[string]contracts.Slot
	onRead        func() // called before each read by id, when set
}

func (m *tableMIS) ReadAppointment(_ context.Context, id string) (contracts.Appointment, error) {
	if m.onRead != nil {
		m.onRead()
	}
	a, ok := m.appts[id]
	if !ok {
		return a, contracts.ErrNotFound
	}
	return a, nil
}

func (m *tableMIS) ReadSlot(_ context.Context, id string) (contracts.Slot, error) {
	s, ok := m.slots[id]
	if !ok {
		return s, contracts.ErrNotFound
	}
	return s, nil
}

type dir struct{ mis contracts.MIS }

func (d dir) MIS(string) (contracts.MIS, error) { return d.mis, nil }

// seed stores a booking of appointment appt on slot S-<id>, starting at
// start, and lets change bring it to the state under test.
func seed(t *testing.T, s *store.DB, id, appt string, start time.Time, change func(*sagas.Booking)) {
	t.Helper()
	slot := sagas.SlotSnapshot{ID: "77:S-" + id, MISSlotID: "S-" + id, Start: start, End: start.Add(20 * time.Minute)}
	b := sagas.NewBooking(id, "c-"+id, slot, "77", []byte("sealed"), "corr-"+id, passNow.Add(-72*time.Hour), time.Minute)
	b.Held(contracts.Appointment{ID: appt}, passNow.Add(-72*time.Hour))
	if change != nil {
		change(b)
	}
	if err := s.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func confirm(appt string) func(*sagas.Booking) {
	return func(b *sagas.Booking) { b.Confirm(contracts.Appointment{ID: appt}, passNow.Add(-72*time.Hour)) }
}

// drainInto applies every clinic event in s's outbox with the Applier, as
// the runner does once the relay has published them, and returns how many.
func drainInto(t *testing.T, s *store.DB) int {
	t.Helper()
	ctx := context.Background()
	recs, err := s.FetchOutbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	ap := clinic.NewApplier(s, func() time.Time { return passNow }, nil)
	var seqs []int64
	n := 0
	for _, r := range recs {
		seqs = append(seqs, r.Seq)
		if r.Topic != contracts.TopicClinic {
			continue
		}
		if err := ap.Apply(ctx, r.Payload); err != nil {
			t.Fatalf("apply %s: %v", r.Payload, err)
		}
		n++
	}
	if err := s.DeleteOutbox(ctx, seqs); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPassRepairsWhatTheMISChangedAndLeavesTheCitizensIntentAlone(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "r.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	past, later := passNow.Add(-2*time.Hour), passNow.Add(48*time.Hour)
	seed(t, s, "cancelled", "A-1", later, confirm("A-1"))
	seed(t, s, "visited", "A-2", past, confirm("A-2"))
	seed(t, s, "moved", "A-3", later, confirm("A-3"))
	seed(t, s, "agrees", "A-4", later, confirm("A-4"))
	seed(t, s, "pending", "A-5", later, nil) // its saga still runs
	seed(t, s, "citizen", "A-6", later, func(b *sagas.Booking) {
		confirm("A-6")(b)
		_ = b.RequestCancel(passNow.Add(-71 * time.Hour))
		b.Cancelled(passNow.Add(-71 * time.Hour))
	})
	seed(t, s, "early", "A-7", later, confirm("A-7"))
	drainInto(t, s) // the saga commands the seeding queued
	movedTo := contracts.Slot{ID: "S-99", Start: later.Add(3 * time.Hour), End: later.Add(3*time.Hour + 20*time.Minute)}
	mis := &tableMIS{appts: map[string]contracts.Appointment{
		"A-1": {ID: "A-1", SlotID: "S-cancelled", Status: contracts.AppointmentCancelled},
		"A-2": {ID: "A-2", SlotID: "S-visited", Status: contracts.AppointmentFulfilled},
		"A-3": {ID: "A-3", SlotID: "S-99", Status: contracts.AppointmentBooked},
		"A-4": {ID: "A-4", SlotID: "S-agrees", Status: contracts.AppointmentBooked},
		"A-5": {ID: "A-5", SlotID: "S-pending", Status: contracts.AppointmentCancelled},
		"A-6": {ID: "A-6", SlotID: "S-citizen", Status: contracts.AppointmentBooked},
		"A-7": {ID: "A-7", SlotID: "S-early", Status: contracts.AppointmentFulfilled},
	}, slots: map[string]contracts.Slot{"S-99": movedTo}}
	pass := &reconcile.Pass{Store: s, Directory: dir{mis}, Publisher: clinic.NewPublisher(s), Holder: "test",
		Now: func() time.Time { return passNow }}

	run := func(o reconcile.Options) (sagas.ReconcilePass, map[string]reconcile.Finding) {
		t.Helper()
		got := map[string]reconcile.Finding{}
		res, err := pass.Run(ctx, "77", o, func(f reconcile.Finding) error { got[f.BookingID] = f; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return res, got
	}

	res, dry := run(reconcile.Options{DryRun: true})
	want := map[string]reconcile.Kind{"cancelled": reconcile.CancelledAtMIS, "visited": reconcile.VisitedAtMIS,
		"moved": reconcile.MovedAtMIS, "citizen": reconcile.BookedNotConfirmed, "early": reconcile.VisitedAtMIS}
	if len(dry) != len(want) {
		t.Fatalf("dry run found %v, want %v", dry, want)
	}
	for id, k := range want {
		if dry[id].Kind != k || dry[id].Repaired {
			t.Errorf("dry run: %s = %+v, want kind %s, not repaired", id, dry[id], k)
		}
	}
	if res.Checked != 6 || res.Found != 5 || res.Repaired != 0 || drainInto(t, s) != 0 {
		t.Fatalf("dry run %+v published something or miscounted", res)
	}
	if dry["early"].Repair != "" || dry["citizen"].Repair != "" {
		t.Errorf("a visit before the start and a citizen's cancellation must not be repaired: %+v %+v", dry["early"], dry["citizen"])
	}

	res, _ = run(reconcile.Options{})
	if res.Found != 5 || res.Repaired != 3 {
		t.Fatalf("pass %+v, want 5 found, 3 repaired", res)
	}
	if n := drainInto(t, s); n != 3 {
		t.Fatalf("%d clinic events published, want 3", n)
	}
	check := func(id string, st sagas.Status) *sagas.Booking {
		t.Helper()
		b, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if b.Status != st {
			t.Errorf("%s is %s, want %s", id, b.Status, st)
		}
		return b
	}
	b := check("cancelled", sagas.StatusCancelled)
	if last := b.Timeline[len(b.Timeline)-1]; b.CancelledBy != sagas.CancelledByClinic || last.Source != sagas.SourceReconciliation {
		t.Errorf("cancelled by %q, last entry %+v: want the clinic, found by reconciliation", b.CancelledBy, last)
	}
	check("visited", sagas.StatusVisited)
	if b := check("moved", sagas.StatusConfirmed); !b.Slot.Start.Equal(movedTo.Start) {
		t.Errorf("moved booking starts %s, want %s", b.Slot.Start, movedTo.Start)
	}
	check("pending", sagas.StatusPending)
	check("citizen", sagas.StatusCancelled)

	// Once repaired, only what a person must settle is left.
	res, again := run(reconcile.Options{})
	if res.Found != 2 || !slices.Equal(keys(again), []string{"citizen", "early"}) {
		t.Fatalf("second pass %+v found %v, want only citizen and early", res, again)
	}
	passes, err := s.ReconcilePasses(ctx)
	if err != nil || len(passes) != 1 || passes[0].Found != 2 || passes[0].Checked != 6 {
		t.Fatalf("last passes %+v, %v", passes, err)
	}
}

func keys(m map[string]reconcile.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestOnePassAtATimePerRegion(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "r.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.TakeReconcileLease(ctx, "77", "other", passNow, time.Minute); !ok || err != nil {
		t.Fatalf("first lease: %v %v", ok, err)
	}
	pass := &reconcile.Pass{Store: s, Directory: dir{&tableMIS{}}, Holder: "me", Now: func() time.Time { return passNow }}
	noop := func(reconcile.Finding) error { return nil }
	if _, err := pass.Run(ctx, "77", reconcile.Options{}, noop); !errors.Is(err, reconcile.ErrPassRunning) {
		t.Fatalf("while another holds the lease: %v, want ErrPassRunning", err)
	}
	if _, err := pass.Run(ctx, "78", reconcile.Options{}, noop); err != nil {
		t.Fatalf("another region: %v", err)
	}
	pass.Now = func() time.Time { return passNow.Add(2 * time.Minute) } // the other's lease lapsed
	if _, err := pass.Run(ctx, "77", reconcile.Options{}, noop); err != nil {
		t.Fatalf("after the lease lapsed: %v", err)
	}
}

// A pass whose lease lapsed while the MIS was slow, and was taken by
// another, stops at its next renewal instead of running beside it.
func TestAPassThatLostItsLeaseStops(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "r.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	later := passNow.Add(48 * time.Hour)
	seed(t, s, "one", "A-1", later, confirm("A-1"))
	seed(t, s, "two", "A-2", later, confirm("A-2"))
	clock := passNow
	mis := &tableMIS{appts: map[string]contracts.Appointment{
		"A-1": {ID: "A-1", SlotID: "S-one", Status: contracts.AppointmentBooked},
		"A-2": {ID: "A-2", SlotID: "S-two", Status: contracts.AppointmentBooked},
	}}
	mis.onRead = func() {
		mis.onRead = nil
		clock = clock.Add(reconcile.Lease + time.Second) // the first read takes that long
		if ok, err := s.TakeReconcileLease(ctx, "77", "other", clock, reconcile.Lease); !ok || err != nil {
			t.Fatalf("the other could not take the lapsed lease: %v %v", ok, err)
		}
	}
	pass := &reconcile.Pass{Store: s, Directory: dir{mis}, Holder: "slow", Now: func() time.Time { return clock }}
	res, err := pass.Run(ctx, "77", reconcile.Options{}, func(reconcile.Finding) error { return nil })
	if !errors.Is(err, reconcile.ErrPassRunning) || res.Checked != 1 {
		t.Fatalf("got %+v, %v; want it stopped after one booking with ErrPassRunning", res, err)
	}
	if passes, _ := s.ReconcilePasses(ctx); len(passes) != 0 {
		t.Errorf("the pass that lost its lease recorded %+v", passes)
	}
}

func TestAKindThatCannotReadByIDEndsThePass(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "r.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	type onlySagas struct{ contracts.MIS }
	pass := &reconcile.Pass{Store: s, Directory: dir{onlySagas{}}, Holder: "me"}
	res, err := pass.Run(ctx, "77", reconcile.Options{}, func(reconcile.Finding) error { return nil })
	if !errors.Is(err, contracts.ErrUnsupported) || res.Error == "" {
		t.Fatalf("got %+v, %v; want ErrUnsupported recorded", res, err)
	}
}

// periodMIS lists its appointments by period, each with its patient, as
// the fhir kind does.
type periodMIS struct {
	tableMIS
	period []contracts.PeriodAppointment
}

func (m *periodMIS) PeriodAppointments(_ context.Context, from, to time.Time) ([]contracts.PeriodAppointment, error) {
	var out []contracts.PeriodAppointment
	for _, a := range m.period {
		if !a.Start.Before(from) && !a.Start.After(to) {
			out = append(out, a)
		}
	}
	return out, nil
}

// testKeys stands for auth.Pseudonymizer.PatientKeys (broker side): a
// key per identifier present.
func testKeys(snils, oms string) []string {
	var keys []string
	if snils != "" {
		keys = append(keys, "k-snils:"+snils)
	}
	if oms != "" {
		keys = append(keys, "k-oms:"+oms)
	}
	return keys
}

func TestAPassImportsOnlyTheOtherChannelBookingsOfPatientsThePortalKnows(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "r.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	later := passNow.Add(48 * time.Hour)
	seed(t, s, "portal", "A-1", later, func(b *sagas.Booking) {
		confirm("A-1")(b)
		b.PatientKeys = testKeys("11223344595", "")
	})
	drainInto(t, s)
	at := func(id string, status contracts.AppointmentStatus, holdKey string, p contracts.Patient) contracts.PeriodAppointment {
		return contracts.PeriodAppointment{Appointment: contracts.Appointment{ID: id, SlotID: "S-" + id, Status: status, HoldKey: holdKey},
			Start: later.Add(time.Hour), End: later.Add(time.Hour + 20*time.Minute), Patient: p,
			Channel: "call_centre", PractitionerName: "Dr Ivanova", FacilityName: "Polyclinic 1"}
	}
	known, stranger := contracts.Patient{SNILS: "11223344595"}, contracts.Patient{SNILS: "99988877766", OMS: "1234567890123456"}
	mis := &periodMIS{tableMIS: tableMIS{appts: map[string]contracts.Appointment{
		"A-1": {ID: "A-1", SlotID: "S-portal", Status: contracts.AppointmentBooked},
	}}, period: []contracts.PeriodAppointment{
		at("A-1", contracts.AppointmentBooked, contracts.StepKey("portal", contracts.StepHold), known),     // the portal's own
		at("E-1", contracts.AppointmentBooked, "", known),                                                  // imported
		at("E-2", contracts.AppointmentBooked, "", stranger),                                               // a patient the portal does not know
		at("E-3", contracts.AppointmentCancelled, "", known),                                               // ended: nothing to show
		at("E-4", contracts.AppointmentBooked, contracts.StepKey("other-saga", contracts.StepHold), known), // a saga's hold: its saga settles it
	}}
	pass := &reconcile.Pass{Store: s, Directory: dir{mis}, Publisher: clinic.NewPublisher(s), PatientKeys: testKeys,
		Holder: "test", Now: func() time.Time { return passNow }}

	var dry []reconcile.Finding
	if _, err := pass.Run(ctx, "77", reconcile.Options{Since: passNow, DryRun: true}, func(f reconcile.Finding) error {
		dry = append(dry, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(dry) != 1 || dry[0].Kind != reconcile.BookedElsewhere || dry[0].AppointmentID != "E-1" || dry[0].Repaired {
		t.Fatalf("dry run found %+v, want E-1 booked_elsewhere unrepaired", dry)
	}
	if n := drainInto(t, s); n != 0 {
		t.Fatalf("a dry run published %d events", n)
	}

	res, err := pass.Run(ctx, "77", reconcile.Options{Since: passNow}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Found != 1 || res.Repaired != 1 {
		t.Fatalf("pass found %d, repaired %d; want the one import", res.Found, res.Repaired)
	}
	if n := drainInto(t, s); n != 1 {
		t.Fatalf("applied %d events, want 1", n)
	}
	b, err := s.Get(ctx, clinic.ElsewhereID("77", "E-1"))
	if err != nil {
		t.Fatalf("the imported booking: %v", err)
	}
	if b.Status != sagas.StatusConfirmed || b.Source != sagas.SourceClinic || b.Channel != "call_centre" ||
		!b.Slot.Start.Equal(later.Add(time.Hour)) || !slices.Equal(b.PatientKeys, testKeys("11223344595", "")) {
		t.Fatalf("imported booking %+v", b)
	}
	if last := b.Timeline[len(b.Timeline)-1]; last.Source != sagas.SourceReconciliation {
		t.Fatalf("timeline entry source %q, want reconciliation", last.Source)
	}
	for _, id := range []string{"E-2", "E-3", "E-4"} {
		if _, err := s.ByAppointment(ctx, "77", id); !errors.Is(err, contracts.ErrNotFound) {
			t.Fatalf("appointment %s was imported (%v)", id, err)
		}
	}

	// The next pass compares the imported booking instead of importing it again.
	mis.appts["E-1"] = contracts.Appointment{ID: "E-1", SlotID: "S-E-1", Status: contracts.AppointmentBooked}
	mis.slots = map[string]contracts.Slot{"S-E-1": {ID: "S-E-1", Start: later.Add(time.Hour), End: later.Add(time.Hour + 20*time.Minute)}}
	res, err = pass.Run(ctx, "77", reconcile.Options{Since: passNow}, nil)
	if err != nil || res.Found != 0 {
		t.Fatalf("second pass found %d (%v), want nothing", res.Found, err)
	}
}
