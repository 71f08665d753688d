package reschedule_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/booking"
	"github.com/fedhealth/federation/sagas/reschedule"
	"github.com/fedhealth/federation/sagas/store"
)

// clinic is an MIS that keeps its appointments and answers each operation
// from a script first, to put the saga in exact situations; it records
// every call with its idempotency key.
type clinic struct {
	mu      sync.Mutex
	answers map[string][]error // per operation, consumed in order; nil = success
	calls   []string           // "op key"
	appts   map[string]contracts.AppointmentStatus
	byKey   map[string]string // hold key → appointment id
	seq     int
}

func newClinic(answers map[string][]error) *clinic {
	return &clinic{answers: answers, appts: map[string]contracts.AppointmentStatus{"OLD": contracts.AppointmentBooked}, byKey: map[string]string{}}
}

func (c *clinic) next(op, key string) error {
	c.calls = append(c.calls, op+" "+key)
	if len(c.answers[op]) == 0 {
		return nil
	}
	err := c.answers[op][0]
	c.answers[op] = c.answers[op][1:]
	return err
}

func (c *clinic) SearchSlots(context.Context, contracts.SlotQuery) ([]contracts.Slot, error) {
	return nil, nil
}
func (c *clinic) ReadSlot(context.Context, string) (contracts.Slot, error) {
	return contracts.Slot{}, nil
}
func (c *clinic) Hold(_ context.Context, r contracts.HoldRequest) (contracts.Appointment, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.next("hold", r.IdempotencyKey); err != nil && !errors.Is(err, contracts.ErrOutcomeUnknown) {
		return contracts.Appointment{}, err // refused: nothing made
	}
	id, ok := c.byKey[r.IdempotencyKey]
	if !ok {
		c.seq++
		id = fmt.Sprintf("NEW-%d", c.seq)
		c.byKey[r.IdempotencyKey], c.appts[id] = id, contracts.AppointmentHeld
	}
	return contracts.Appointment{ID: id, Status: c.appts[id], HoldKey: r.IdempotencyKey}, nil
}
func (c *clinic) Book(_ context.Context, r contracts.BookRequest) (contracts.Appointment, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.next("book", r.IdempotencyKey); err != nil {
		return contracts.Appointment{}, err
	}
	c.appts[r.AppointmentID] = contracts.AppointmentBooked
	return contracts.Appointment{ID: r.AppointmentID, Status: contracts.AppointmentBooked}, nil
}
func (c *clinic) Cancel(_ context.Context, id, key string) (contracts.Appointment, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.next("cancel "+id, key); err != nil {
		return contracts.Appointment{}, err
	}
	c.appts[id] = contracts.AppointmentCancelled
	return contracts.Appointment{ID: id, Status: contracts.AppointmentCancelled}, nil
}
func (c *clinic) FindHold(_ context.Context, r contracts.HoldRequest) (contracts.Appointment, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, "find "+r.IdempotencyKey)
	id, ok := c.byKey[r.IdempotencyKey]
	if !ok {
		return contracts.Appointment{}, contracts.ErrNotFound
	}
	return contracts.Appointment{ID: id, Status: c.appts[id]}, nil
}

// live lists the appointments held or booked, sorted.
func (c *clinic) live() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for id, st := range c.appts {
		if st == contracts.AppointmentHeld || st == contracts.AppointmentBooked {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// shiftingClinic moves appointments natively too.
type shiftingClinic struct{ *clinic }

func (c shiftingClinic) Shift(_ context.Context, r contracts.ShiftRequest) (contracts.Appointment, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.next("shift "+r.AppointmentID+" "+r.SlotID, r.IdempotencyKey); err != nil {
		return contracts.Appointment{}, err
	}
	return contracts.Appointment{ID: r.AppointmentID, SlotID: r.SlotID, Status: contracts.AppointmentBooked}, nil
}

type directory struct{ mis contracts.MIS }

func (d directory) MIS(string) (contracts.MIS, error) { return d.mis, nil }

// plainSealer stands in for AES-GCM sealing, which broker/auth tests.
type plainSealer struct{}

func (plainSealer) Seal(p, _ []byte) ([]byte, error) { return p, nil }
func (plainSealer) Open(p, _ []byte) ([]byte, error) { return p, nil }

var (
	patient = contracts.Patient{SNILS: "11223344595", OMS: "7700000000001234", BirthDate: "1985-03-14"}
	oldSlot = sagas.SlotSnapshot{ID: "77:S-1", MISSlotID: "S-1", Start: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 1, 9, 20, 0, 0, time.UTC)}
	newSlot = sagas.SlotSnapshot{ID: "77:S-2", MISSlotID: "S-2", Start: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 2, 10, 20, 0, 0, time.UTC)}
)

type fixture struct {
	store *store.DB
	dir   *directory
	saga  *reschedule.Saga
	now   time.Time
}

// newFixture stores a confirmed booking b1 (appointment OLD at oldSlot) of a
// region whose MIS is mis.
func newFixture(t *testing.T, mis contracts.MIS) *fixture {
	t.Helper()
	db, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "s.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{store: db, dir: &directory{mis}, now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	f.saga, err = reschedule.New(reschedule.Config{Store: db, Directory: f.dir, Sealer: plainSealer{}, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	b := sagas.NewBooking("b1", "c1", oldSlot, "77", nil, "", f.now, 2*time.Minute)
	b.Confirm(contracts.Appointment{ID: "OLD"}, f.now)
	if err := db.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return f
}

// move asks to move b1 to newSlot.
func (f *fixture) move(t *testing.T, native bool) {
	t.Helper()
	sealed, err := sagas.SealPatient(plainSealer{}, "b1", patient)
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.Update(context.Background(), "b1", func(b *sagas.Booking) error {
		return b.RequestReschedule(newSlot, native, sealed, f.now, 2*time.Minute)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) booking(t *testing.T) *sagas.Booking {
	t.Helper()
	b, err := f.store.Get(context.Background(), "b1")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lastCode(b *sagas.Booking) string { return b.Timeline[len(b.Timeline)-1].Code }

func TestAMoveBooksTheNewSlotBeforeItCancelsTheOld(t *testing.T) {
	mis := newClinic(nil)
	f := newFixture(t, mis)
	f.move(t, false)
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	b := f.booking(t)
	if b.Status != sagas.StatusConfirmed || b.Slot.ID != newSlot.ID || b.AppointmentID != "NEW-1" || b.Move != nil || b.PatientSealed != nil {
		t.Fatalf("after the move %+v, want confirmed at the new slot, the move and the identifiers gone", b)
	}
	end := b.Timeline[len(b.Timeline)-1]
	if end.Code != sagas.CodeRescheduled || !end.PrevStart.Equal(oldSlot.Start) || !end.PrevEnd.Equal(oldSlot.End) {
		t.Errorf("the last entry %+v, want rescheduled keeping the old time", end)
	}
	if len(mis.calls) != 3 || !strings.HasPrefix(mis.calls[0], "hold b1:reschedule_hold.") ||
		!strings.HasPrefix(mis.calls[1], "book b1:reschedule_book.") || !strings.HasPrefix(mis.calls[2], "cancel OLD b1:reschedule_cancel.") {
		t.Errorf("calls %v, want hold and book of the new, then the cancel of the old", mis.calls)
	}
	if got := mis.live(); !slices.Equal(got, []string{"NEW-1"}) {
		t.Errorf("the MIS holds %v, want only the new appointment", got)
	}
	if err := f.saga.Advance(context.Background(), "b1"); err != nil || len(mis.calls) != 3 {
		t.Errorf("a duplicate delivery: %v, calls %v, want nothing more", err, mis.calls)
	}
}

func TestEachMoveOfABookingHasItsOwnKeysWhichNameTheBooking(t *testing.T) {
	mis := newClinic(nil)
	f := newFixture(t, mis)
	var holds []string
	for range 2 {
		f.move(t, false)
		holds = append(holds, f.booking(t).Move.StepKey("b1", sagas.StepRescheduleHold))
		if err := f.saga.Advance(context.Background(), "b1"); err != nil {
			t.Fatal(err)
		}
	}
	if holds[0] == holds[1] {
		t.Fatalf("two moves share the hold key %s: the second would replay the first", holds[0])
	}
	for _, k := range holds {
		if id, step, ok := contracts.ParseStepKey(k); !ok || id != "b1" || !contracts.HoldStep(step) {
			t.Errorf("key %s parses to %q %q %v, want booking b1 at a hold step", k, id, step, ok)
		}
	}
}

func TestAMoveThatCannotBookTheNewSlotLeavesTheOldUntouched(t *testing.T) {
	cases := []struct {
		name     string
		answers  map[string][]error
		reason   string
		live     []string
		released bool
	}{
		{"the hold is refused", map[string][]error{"hold": {contracts.ErrSlotTaken}}, sagas.CodeSlotTaken, []string{"OLD"}, false},
		{"the booking is refused", map[string][]error{"book": {contracts.ErrHoldExpired}}, sagas.CodeHoldExpired, []string{"OLD"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mis := newClinic(tc.answers)
			f := newFixture(t, mis)
			f.move(t, false)
			if err := f.saga.Advance(context.Background(), "b1"); err != nil {
				t.Fatal(err)
			}
			b := f.booking(t)
			if b.Status != sagas.StatusConfirmed || b.Slot.ID != oldSlot.ID || b.AppointmentID != "OLD" || b.ReasonCode != tc.reason ||
				lastCode(b) != sagas.CodeRescheduleNotDone || b.Move != nil {
				t.Fatalf("after the failed move %+v, want confirmed at the old slot with %s", b, tc.reason)
			}
			if got := mis.live(); !slices.Equal(got, tc.live) {
				t.Errorf("the MIS holds %v, want %v", got, tc.live)
			}
			for _, c := range mis.calls {
				if strings.HasPrefix(c, "cancel OLD") {
					t.Errorf("the old appointment was cancelled (%s)", c)
				}
			}
			if released := slices.ContainsFunc(mis.calls, func(c string) bool { return strings.HasPrefix(c, "cancel NEW-1 b1:reschedule_release.") }); released != tc.released {
				t.Errorf("new hold released: %v, want %v (calls %v)", released, tc.released, mis.calls)
			}
		})
	}
}

func TestAMovePastItsDeadlineReleasesWhatAnEarlierDeliveryHeld(t *testing.T) {
	// The hold's call fails as far as the saga can tell...
	mis := newClinic(map[string][]error{"hold": {fmt.Errorf("lost: %w", contracts.ErrRegionUnavailable)}})
	f := newFixture(t, mis)
	f.move(t, false)
	if err := f.saga.Advance(context.Background(), "b1"); !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("advance: %v, want the command back", err)
	}
	if _, err := mis.Hold(context.Background(), contracts.HoldRequest{IdempotencyKey: f.booking(t).Move.StepKey("b1", sagas.StepRescheduleHold)}); err != nil {
		t.Fatal(err) // ...but it made the hold at the MIS
	}
	f.now = f.now.Add(3 * time.Minute)
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	b := f.booking(t)
	if b.Status != sagas.StatusConfirmed || b.Slot.ID != oldSlot.ID || b.ReasonCode != sagas.CodeDeadline {
		t.Fatalf("after the deadline %+v, want confirmed at the old slot with deadline", b)
	}
	if got := mis.live(); !slices.Equal(got, []string{"OLD"}) {
		t.Errorf("the MIS holds %v, want only the old appointment", got)
	}
}

func TestACancelOfTheOldThatKeepsFailingIsRepeatedNeverDropped(t *testing.T) {
	refused := fmt.Errorf("refused: %w", contracts.ErrConflict)
	mis := newClinic(map[string][]error{"cancel OLD": {refused, refused}})
	f := newFixture(t, mis)
	f.move(t, false)
	if err := f.saga.Advance(context.Background(), "b1"); !errors.Is(err, contracts.ErrConflict) {
		t.Fatalf("advance: %v, want the refusal back (the command is repeated, or dead-lettered and nudged)", err)
	}
	b := f.booking(t)
	if b.Status != sagas.StatusRescheduling || b.Step != sagas.StepRescheduleCancel || b.Slot.ID != newSlot.ID || b.Move.OldAppointmentID != "OLD" {
		t.Fatalf("with the old not cancelled %+v, want rescheduling at the cancel of OLD, the new slot shown", b)
	}
	// The sweeper finds the stalled move and sends it a new command.
	sweeper, err := booking.New(booking.Config{Store: f.store, Directory: f.dir, Sealer: plainSealer{}, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	if n, err := sweeper.NudgeStalled(context.Background(), f.now, 10); err != nil || n != 1 {
		t.Fatalf("nudge: %d %v, want the stalled move nudged", n, err)
	}
	if err := f.saga.Advance(context.Background(), "b1"); err == nil {
		t.Fatal("the second refusal was taken for success")
	}
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	if b := f.booking(t); b.Status != sagas.StatusConfirmed || lastCode(b) != sagas.CodeRescheduled {
		t.Fatalf("after the cancel went through %+v, want confirmed, rescheduled", b)
	}
	if got := mis.live(); !slices.Equal(got, []string{"NEW-1"}) {
		t.Errorf("the MIS holds %v, want only the new appointment", got)
	}
}

func TestANativeMoveIsOneShiftAndFallsBackToTwoStepsWithoutOne(t *testing.T) {
	mis := newClinic(map[string][]error{})
	f := newFixture(t, shiftingClinic{mis})
	f.move(t, true)
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	b := f.booking(t)
	if b.Status != sagas.StatusConfirmed || b.Slot.ID != newSlot.ID || b.AppointmentID != "OLD" || !b.Timeline[len(b.Timeline)-1].PrevStart.Equal(oldSlot.Start) {
		t.Fatalf("after the shift %+v, want confirmed at the new slot, the same appointment, the old time kept", b)
	}
	if len(mis.calls) != 1 || !strings.HasPrefix(mis.calls[0], "shift OLD S-2 b1:reschedule_shift.") {
		t.Errorf("calls %v, want one shift", mis.calls)
	}

	// The region lost its native move between the request and the step.
	f.dir.mis = mis
	f.move(t, true)
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	if b := f.booking(t); b.Status != sagas.StatusConfirmed || b.AppointmentID != "NEW-1" {
		t.Fatalf("after the fallback %+v, want confirmed on the new appointment", b)
	}
}

func TestARefusedShiftLeavesTheAppointmentWhereItWas(t *testing.T) {
	mis := newClinic(map[string][]error{"shift OLD S-2": {contracts.ErrSlotTaken}})
	f := newFixture(t, shiftingClinic{mis})
	f.move(t, true)
	if err := f.saga.Advance(context.Background(), "b1"); err != nil {
		t.Fatal(err)
	}
	if b := f.booking(t); b.Status != sagas.StatusConfirmed || b.Slot.ID != oldSlot.ID || b.ReasonCode != sagas.CodeSlotTaken {
		t.Fatalf("after the refused shift %+v, want confirmed at the old slot with slot_taken", b)
	}
}
