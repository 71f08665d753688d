package booking_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/booking"
	"github.com/fedhealth/federation/sagas/store"
)

// scriptedMIS answers each operation from a script, to put the saga in
// exact situations (an answer lost after the MIS acted, a refusal at a given
// step) that the real simulator produces only by chance. It records every
// call with its idempotency key.
type scriptedMIS struct {
	mu      sync.Mutex
	answers map[string][]error // per operation, consumed in order; nil = success
	calls   []string           // "op key"
	found   bool               // FindHold finds the hold
	booked  bool               // FindHold finds the hold, booked
	// patients are the patients of the hold requests FindHold and Book
	// were given, in order.
	patients []contracts.Patient
	classes  []contracts.CallClass
	// deadlines are the time each call had left (0: none); deadlinesAt
	// the deadlines themselves.
	deadlines   []time.Duration
	deadlinesAt []time.Time
	onHold      func() // runs during Hold, as if concurrently
}

func (m *scriptedMIS) seen(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.classes = append(m.classes, contracts.CallClassOf(ctx))
	var left time.Duration
	d, ok := ctx.Deadline()
	if ok {
		left = time.Until(d)
	}
	m.deadlines = append(m.deadlines, left)
	m.deadlinesAt = append(m.deadlinesAt, d)
}

func (m *scriptedMIS) next(op, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, op+" "+key)
	if len(m.answers[op]) == 0 {
		return nil
	}
	err := m.answers[op][0]
	m.answers[op] = m.answers[op][1:]
	return err
}

func (m *scriptedMIS) SearchSlots(context.Context, contracts.SlotQuery) ([]contracts.Slot, error) {
	return nil, nil
}
func (m *scriptedMIS) ReadSlot(context.Context, string) (contracts.Slot, error) {
	return contracts.Slot{}, nil
}
func (m *scriptedMIS) Hold(ctx context.Context, r contracts.HoldRequest) (contracts.Appointment, error) {
	m.seen(ctx)
	if m.onHold != nil {
		m.onHold()
	}
	return contracts.Appointment{ID: "A-1", Status: contracts.AppointmentHeld}, m.next("hold", r.IdempotencyKey)
}
func (m *scriptedMIS) Book(ctx context.Context, r contracts.BookRequest) (contracts.Appointment, error) {
	m.seen(ctx)
	m.patient(r.Hold.Patient)
	return contracts.Appointment{ID: r.AppointmentID, Status: contracts.AppointmentBooked}, m.next("book", r.IdempotencyKey)
}
func (m *scriptedMIS) Cancel(ctx context.Context, id, key string) (contracts.Appointment, error) {
	m.seen(ctx)
	return contracts.Appointment{ID: id, Status: contracts.AppointmentCancelled}, m.next("cancel", key)
}
func (m *scriptedMIS) FindHold(ctx context.Context, r contracts.HoldRequest) (contracts.Appointment, error) {
	m.seen(ctx)
	m.patient(r.Patient)
	if err := m.next("find", r.IdempotencyKey); err != nil {
		return contracts.Appointment{}, err
	}
	switch {
	case m.booked:
		return contracts.Appointment{ID: "A-1", Status: contracts.AppointmentBooked}, nil
	case m.found:
		return contracts.Appointment{ID: "A-1", Status: contracts.AppointmentHeld}, nil
	}
	return contracts.Appointment{}, contracts.ErrNotFound
}

func (m *scriptedMIS) patient(p contracts.Patient) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.patients = append(m.patients, p)
}

type directory struct{ mis contracts.MIS }

func (d directory) MIS(string) (contracts.MIS, error) { return d.mis, nil }

// plainSealer stands in for AES-GCM sealing, which broker/auth tests.
type plainSealer struct{}

func (plainSealer) Seal(p, _ []byte) ([]byte, error) { return p, nil }
func (plainSealer) Open(p, _ []byte) ([]byte, error) { return p, nil }

// patient is the fixture booking's, sealed in it.
var patient = contracts.Patient{SNILS: "11223344595", OMS: "7700000000001234", BirthDate: "1985-03-14"}

type fixture struct {
	store *store.DB
	mis   *scriptedMIS
	saga  *booking.Saga
	now   time.Time
}

func newFixture(t *testing.T, answers map[string][]error) *fixture {
	db, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "s.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{store: db, mis: &scriptedMIS{answers: answers}, now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	f.saga, err = booking.New(booking.Config{Store: db, Directory: directory{f.mis}, Sealer: plainSealer{}, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sagas.SealPatient(plainSealer{}, "b1", patient)
	if err != nil {
		t.Fatal(err)
	}
	b := sagas.NewBooking("b1", "c1", sagas.SlotSnapshot{ID: "77:S-1", MISSlotID: "S-1"}, "77", sealed, "", f.now, 2*time.Minute)
	if err := db.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) booking(t *testing.T) *sagas.Booking {
	b, err := f.store.Get(context.Background(), "b1")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTheSagaHoldsThenBooksWithOneKeyPerStep(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	if b := f.booking(t); b.Status != sagas.StatusConfirmed || b.AppointmentID != "A-1" || b.PatientSealed != nil {
		t.Errorf("booking %+v, want confirmed with identifiers erased", b)
	}
	want := []string{"hold b1:hold", "book b1:book"}
	if len(f.mis.calls) != 2 || f.mis.calls[0] != want[0] || f.mis.calls[1] != want[1] {
		t.Errorf("calls %v, want %v", f.mis.calls, want)
	}
	// A duplicate delivery finds nothing to do.
	if err := f.saga.Advance(context.Background(), "b1"); err != nil || len(f.mis.calls) != 2 {
		t.Errorf("duplicate advance: %v, calls %v", err, f.mis.calls)
	}
}

func TestAnUnknownOutcomeIsRepeatedWithTheSameKeyNeverGuessed(t *testing.T) {
	f := newFixture(t, map[string][]error{"book": {contracts.ErrOutcomeUnknown}})
	err := f.saga.Advance(context.Background(), "b1")
	if !errors.Is(err, contracts.ErrOutcomeUnknown) {
		t.Fatalf("advance: %v, want the unknown outcome back so the command is redelivered", err)
	}
	if b := f.booking(t); b.Status != sagas.StatusPending || b.Step != sagas.StepBook {
		t.Errorf("after a lost answer the booking is %s at %s, want pending at book", b.Status, b.Step)
	}
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	// The appointment read back is only held, so the book is repeated.
	if got := f.mis.calls; len(got) != 4 || got[1] != "book b1:book" || got[2] != "find b1:hold" || got[3] != "book b1:book" {
		t.Errorf("calls %v, want the book read back, then repeated with the same key", got)
	}
	if f.booking(t).Status != sagas.StatusConfirmed {
		t.Error("not confirmed after the repeat")
	}
}

func TestRefusalsEndTheBookingWithTheCitizensReason(t *testing.T) {
	cases := []struct {
		name      string
		answers   map[string][]error
		reason    string
		wantCalls []string
	}{
		{"a taken slot is rejected and nothing is released", map[string][]error{"hold": {contracts.ErrSlotTaken}},
			sagas.ReasonSlotTaken, []string{"hold b1:hold"}},
		{"a missing referral is rejected", map[string][]error{"hold": {contracts.ErrReferralRequired}},
			sagas.ReasonReferralRequired, []string{"hold b1:hold"}},
		{"an expired hold is rejected and released to be sure", map[string][]error{"book": {contracts.ErrHoldExpired}},
			sagas.ReasonHoldExpired, []string{"hold b1:hold", "book b1:book", "cancel b1:release"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.answers)
			if err := f.saga.Advance(context.Background(), "b1"); err != nil {
				t.Fatal(err)
			}
			b := f.booking(t)
			if b.Status != sagas.StatusRejected || b.Reason != c.reason || b.Step != sagas.StepDone || b.PatientSealed != nil {
				t.Errorf("booking %s %q at %s, sealed %q, want rejected %q done with identifiers erased", b.Status, b.Reason, b.Step, b.PatientSealed, c.reason)
			}
			if len(f.mis.calls) != len(c.wantCalls) {
				t.Fatalf("calls %v, want %v", f.mis.calls, c.wantCalls)
			}
			for i := range c.wantCalls {
				if f.mis.calls[i] != c.wantCalls[i] {
					t.Errorf("calls %v, want %v", f.mis.calls, c.wantCalls)
				}
			}
		})
	}
}

func TestPastTheDeadlineTheBookingFailsAndALateHoldIsFoundAndReleased(t *testing.T) {
	f := newFixture(t, map[string][]error{"hold": {contracts.ErrOutcomeUnknown}})
	_ = f.saga.Advance(context.Background(), "b1") // the hold's answer is lost
	f.now = f.now.Add(3 * time.Minute)
	f.mis.found = true // ... but the MIS did hold the slot
	n, err := f.saga.FailOverdue(context.Background(), 10)
	if err != nil || n != 1 {
		t.Fatalf("FailOverdue: %d %v, want 1 failed", n, err)
	}
	if b := f.booking(t); b.Status != sagas.StatusFailed || b.Reason != sagas.ReasonDeadline || b.Step != sagas.StepRelease {
		t.Errorf("booking %s %q at %s, want failed by deadline, releasing", b.Status, b.Reason, b.Step)
	}
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	if got := f.mis.calls; got[len(got)-2] != "find b1:hold" || got[len(got)-1] != "cancel b1:release" {
		t.Errorf("calls %v, want the hold found by its key and cancelled", got)
	}
	if b := f.booking(t); b.Step != sagas.StepDone || b.Status != sagas.StatusFailed {
		t.Errorf("after release %s at %s", b.Status, b.Step)
	}
}

func TestThePatientStaysSealedUntilTheReleaseHasFinished(t *testing.T) {
	// The hold's answer is lost and not found at once; the deadline passes;
	// the release's first read-back meets a region that is down.
	f := newFixture(t, map[string][]error{"hold": {contracts.ErrOutcomeUnknown}, "find": {nil, contracts.ErrRegionUnavailable}})
	_ = f.saga.Advance(context.Background(), "b1")
	f.now = f.now.Add(3 * time.Minute)
	if err := f.saga.Advance(context.Background(), "b1"); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("advance: %v, want the region's trouble back so the release is delivered again", err)
	}
	if b := f.booking(t); b.Status != sagas.StatusFailed || b.Step != sagas.StepRelease || len(b.PatientSealed) == 0 {
		t.Fatalf("booking %s at %s, sealed %d bytes; want failed, releasing, the patient still sealed for the read-back", b.Status, b.Step, len(b.PatientSealed))
	}
	f.mis.found = true // the hold did land
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	if got := f.mis.calls[len(f.mis.calls)-1]; got != "cancel b1:release" {
		t.Errorf("calls %v, want the hold found and cancelled", f.mis.calls)
	}
	if b := f.booking(t); b.Step != sagas.StepDone || b.PatientSealed != nil {
		t.Errorf("booking at %s, sealed %q; want done with the identifiers erased", b.Step, b.PatientSealed)
	}
	for i, p := range f.mis.patients {
		if p != patient {
			t.Errorf("read-back %d was given patient %+v, want the booking's: after the booking ended too", i, p)
		}
	}
	if len(f.mis.patients) != 3 {
		t.Errorf("%d read-backs, want 3 (after the hold, and two by the release)", len(f.mis.patients))
	}
}

func TestReleasingAHoldThatNeverHappenedCallsNoCancel(t *testing.T) {
	f := newFixture(t, map[string][]error{"hold": {contracts.ErrOutcomeUnknown}})
	_ = f.saga.Advance(context.Background(), "b1")
	f.now = f.now.Add(3 * time.Minute)
	if err := f.saga.Advance(context.Background(), "b1"); err != nil { // fails itself at the deadline, then releases
		t.Fatal(err)
	}
	for _, c := range f.mis.calls {
		if c == "cancel b1:release" {
			t.Errorf("cancelled a hold the MIS never made: %v", f.mis.calls)
		}
	}
	if b := f.booking(t); b.Status != sagas.StatusFailed || b.Step != sagas.StepDone {
		t.Errorf("booking %s at %s, want failed and done", b.Status, b.Step)
	}
}

// BenchmarkAdvance measures one booking saga from pending to confirmed with
// its store writes (SQLite in a temporary directory) and an MIS that
// answers at once: the broker's own cost per booking, without the network.
//
//	go test ./sagas/booking -run X -bench Advance
func BenchmarkAdvance(b *testing.B) {
	db, err := store.Open(context.Background(), store.Config{Path: filepath.Join(b.TempDir(), "s.db")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	saga, err := booking.New(booking.Config{Store: db, Directory: directory{&scriptedMIS{}}, Sealer: plainSealer{}})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	ids := make([]string, b.N)
	for i := range b.N {
		ids[i] = fmt.Sprintf("b%d", i)
		bk := sagas.NewBooking(ids[i], "c", sagas.SlotSnapshot{ID: "77:S-1", MISSlotID: "S-1"}, "77", nil, "", now, time.Hour)
		if err := db.Create(context.Background(), bk); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for _, id := range ids {
		if err := saga.Advance(context.Background(), id); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAHoldThatLandsAfterTheBookingEndedIsReleased(t *testing.T) {
	f := newFixture(t, nil)
	// While this copy of the saga is at the MIS, another ends the booking:
	// past its deadline, released with nothing found.
	f.mis.onHold = func() {
		err := f.store.Update(context.Background(), "b1", func(b *sagas.Booking) error {
			b.Fail(sagas.ReasonDeadline, f.now)
			b.Released("Nothing was left at the clinic.", f.now)
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	b := f.booking(t)
	if b.Status != sagas.StatusFailed || b.Step != sagas.StepDone || b.AppointmentID != "A-1" {
		t.Errorf("booking %s at %s with appointment %q, want failed, done, A-1 released", b.Status, b.Step, b.AppointmentID)
	}
	if got := f.mis.calls[len(f.mis.calls)-1]; got != "cancel b1:release" {
		t.Errorf("calls %v, want the late hold released", f.mis.calls)
	}
}

func TestAReleaseThatStoppedMovingIsSentANewCommand(t *testing.T) {
	f := newFixture(t, map[string][]error{"hold": {contracts.ErrOutcomeUnknown}})
	_ = f.saga.Advance(context.Background(), "b1")
	f.now = f.now.Add(3 * time.Minute)
	if _, err := f.saga.FailOverdue(context.Background(), 10); err != nil { // now releasing; say its command is lost
		t.Fatal(err)
	}
	drainOutbox(t, f.store)
	n, err := f.saga.NudgeStalled(context.Background(), f.now.Add(time.Minute), 10)
	if err != nil || n != 1 {
		t.Fatalf("nudged %d: %v, want 1", n, err)
	}
	recs, _ := f.store.FetchOutbox(context.Background(), 10)
	if len(recs) != 1 || recs[0].Topic != contracts.RegionTopic("77") {
		t.Errorf("outbox after the nudge %+v, want one command to region 77", recs)
	}
	if n, _ := f.saga.NudgeStalled(context.Background(), f.now.Add(-time.Minute), 10); n != 0 {
		t.Errorf("nudged %d bookings that moved recently", n)
	}
}

func drainOutbox(t *testing.T, db *store.DB) {
	recs, err := db.FetchOutbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	seqs := make([]int64, len(recs))
	for i, r := range recs {
		seqs[i] = r.Seq
	}
	if err := db.DeleteOutbox(context.Background(), seqs); err != nil {
		t.Fatal(err)
	}
}
