// Package porttest is the suite every region adapter passes: whatever a
// region's MIS speaks (the federal FHIR contract, the e-registry SOAP style,
// a city JSON-RPC API), its adapter must behave the same through the
// contracts.MIS port, because the sagas rely on nothing else. Each adapter's
// tests run it against that kind's simulator, on real loopback HTTP (a
// feed region, which books through the operator queue instead, runs the
// search half and the refusal of every booking call: Target.BooksElsewhere):
//
//	porttest.Run(t, porttest.Target{MIS: adapter, Region: region, Patient: patient, ...})
//
// Each subtest is named after the guarantee it checks. Tests find their own
// free slots through search and leave nothing held behind.
package porttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
)

// Target is one adapter under test with what the suite needs to know of
// its simulator.
type Target struct {
	// MIS is the adapter as the registry builds it (without the breaker).
	MIS contracts.MIS
	// Region is the adapter's region; its TimeZone decides the UTC offset
	// every slot must carry.
	Region contracts.Region
	// Patient is one the MIS knows.
	Patient contracts.Patient
	// Refusals picks, for each refusal the MIS makes (contracts.KindNotAttached,
	// contracts.KindReferralRequired), the slots Patient cannot hold for that
	// reason. Refusals the MIS never makes are left out.
	Refusals map[contracts.Kind]func(contracts.Slot) bool
	// LoseAnswers, when set, makes the MIS carry out the state-changing calls
	// it gets and lose their answers while on (the call then times out at
	// the adapter), as when a network drops responses.
	LoseAnswers func(on bool)
	// Restarted, when set, builds another adapter on the same durable
	// state (ledger) and MIS that shares nothing in memory with MIS, as a
	// broker restarted between two steps of a saga.
	Restarted func(t *testing.T) contracts.MIS
	// BooksElsewhere marks a kind whose bookings never go through the port
	// (feed: the region's operator queue, where the broker itself
	// arbitrates each slot). The suite then checks search and slot reads,
	// and that every state-changing call is refused as invalid, so a stray
	// saga command ends instead of making anything.
	BooksElsewhere bool
}

// Run runs the suite against target.
func Run(t *testing.T, target Target) {
	t.Helper()
	if target.MIS == nil || target.Region.TimeZone == "" {
		t.Fatal("porttest: Target needs MIS and Region with its TimeZone")
	}
	loc, err := time.LoadLocation(target.Region.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	s := &suite{Target: target, loc: loc, used: map[string]bool{}}
	t.Run("search gives free slots in the region's UTC offset, filtered and limited", s.search)
	if target.BooksElsewhere {
		t.Run("a slot found by search reads back, free", s.readSlot)
		t.Run("every state-changing call is refused as invalid", s.refusesBooking)
		t.Run("an unknown slot is not found", s.unknownSlot)
		return
	}
	t.Run("a held slot is booked, read back and cancelled", s.holdBookCancel)
	t.Run("a slot someone holds is refused as taken", s.taken)
	t.Run("a hold or book repeated with its key changes nothing more", s.repeated)
	t.Run("of many clients holding one slot exactly one wins", s.race)
	for kind, refused := range target.Refusals {
		t.Run(fmt.Sprintf("a hold the MIS refuses is %v", kind), func(t *testing.T) { s.refused(t, kind, refused) })
	}
	if target.LoseAnswers != nil {
		t.Run("a hold whose answer is lost is an unknown outcome, found by its key, and not made twice", s.lostAnswer)
	}
	if target.LoseAnswers != nil && target.Restarted != nil {
		t.Run("after a restart the hold whose answer was lost is found, booked and released, once", s.afterRestart)
	}
	t.Run("an unknown slot or hold is not found", s.notFound)
}

type suite struct {
	Target
	loc  *time.Location
	mu   sync.Mutex
	used map[string]bool // slots a subtest has taken
	seq  int
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// key makes an idempotency key no other subtest uses.
func (s *suite) key(what string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return fmt.Sprintf("porttest-%s-%d-%d", what, time.Now().UnixNano(), s.seq)
}

// freeSlot returns a free slot no other subtest has used, one that match
// accepts when given, and marks it used.
func (s *suite) freeSlot(t *testing.T, match func(contracts.Slot) bool) contracts.Slot {
	t.Helper()
	slots, err := s.MIS.SearchSlots(ctx(t), contracts.SlotQuery{Limit: 1000})
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sl := range slots {
		if !s.used[sl.ID] && sl.Free && sl.Start.After(time.Now().Add(time.Hour)) && (match == nil && !s.refusedSlot(sl) || match != nil && match(sl)) {
			s.used[sl.ID] = true
			return sl
		}
	}
	t.Fatalf("no free slot left that the subtest can use among %d", len(slots))
	return contracts.Slot{}
}

// refusedSlot reports whether the MIS would refuse Patient the slot.
func (s *suite) refusedSlot(sl contracts.Slot) bool {
	for _, refused := range s.Refusals {
		if refused(sl) {
			return true
		}
	}
	return false
}

// release cancels what a subtest held, when the test ends.
func (s *suite) release(t *testing.T, a contracts.Appointment) {
	t.Cleanup(func() { _, _ = s.MIS.Cancel(context.Background(), a.ID, s.key("cleanup")) })
}

func (s *suite) request(sl contracts.Slot, key string) contracts.HoldRequest {
	return contracts.HoldRequest{SlotID: sl.ID, Patient: s.Patient, IdempotencyKey: key}
}

func (s *suite) hold(t *testing.T, sl contracts.Slot, key string) (contracts.Appointment, error) {
	return s.MIS.Hold(ctx(t), s.request(sl, key))
}

func (s *suite) search(t *testing.T) {
	all, err := s.MIS.SearchSlots(ctx(t), contracts.SlotQuery{Limit: 50})
	if err != nil || len(all) == 0 {
		t.Fatalf("search: %d slots, %v", len(all), err)
	}
	if len(all) > 50 {
		t.Errorf("limit 50 gave %d slots", len(all))
	}
	for i, sl := range all {
		_, want := sl.Start.In(s.loc).Zone()
		if _, got := sl.Start.Zone(); got != want {
			t.Errorf("slot %s starts at %s: offset %ds, want the region's %ds", sl.ID, sl.Start, got, want)
		}
		if !sl.End.After(sl.Start) || !sl.Free || sl.ID == "" {
			t.Errorf("slot %+v: want an id, free, ending after it starts", sl)
		}
		if i > 0 && sl.Start.Before(all[i-1].Start) {
			t.Errorf("slot %s out of order", sl.ID)
		}
	}
	specialty := all[0].Specialty.Code
	narrowed, err := s.MIS.SearchSlots(ctx(t), contracts.SlotQuery{Specialty: specialty, Limit: 50})
	if err != nil || len(narrowed) == 0 {
		t.Fatalf("search by specialty %q: %d slots, %v", specialty, len(narrowed), err)
	}
	for _, sl := range narrowed {
		if sl.Specialty.Code != specialty {
			t.Errorf("search by specialty %q gave a %q slot", specialty, sl.Specialty.Code)
		}
	}
	// From and To are calendar dates in the region's zone.
	day := func(tm time.Time) string { return tm.In(s.loc).Format(time.DateOnly) }
	from := all[len(all)-1].Start.AddDate(0, 0, 1)
	later, err := s.MIS.SearchSlots(ctx(t), contracts.SlotQuery{From: from, To: from, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range later {
		if day(sl.Start) != day(from) {
			t.Errorf("search of %s gave slot %s at %s", day(from), sl.ID, sl.Start)
		}
	}
}

func (s *suite) holdBookCancel(t *testing.T) {
	sl := s.freeSlot(t, nil)
	req := s.request(sl, s.key("hold"))
	held, err := s.MIS.Hold(ctx(t), req)
	if err != nil {
		t.Fatalf("hold: %v", err)
	}
	s.release(t, held)
	if held.ID == "" || held.Status != contracts.AppointmentHeld {
		t.Fatalf("hold gave %+v, want an appointment in status %s", held, contracts.AppointmentHeld)
	}
	booked, err := s.MIS.Book(ctx(t), contracts.BookRequest{AppointmentID: held.ID, Hold: req, IdempotencyKey: s.key("book")})
	if err != nil || booked.Status != contracts.AppointmentBooked {
		t.Fatalf("book: %+v %v, want booked", booked, err)
	}
	read, err := s.MIS.FindHold(ctx(t), req)
	if err != nil || read.ID != held.ID || read.Status != contracts.AppointmentBooked {
		t.Fatalf("read back: %+v %v, want booked", read, err)
	}
	if slot, err := s.MIS.ReadSlot(ctx(t), sl.ID); err != nil || slot.Free {
		t.Errorf("the booked slot reads %+v, %v; want not free", slot, err)
	}
	cancelled, err := s.MIS.Cancel(ctx(t), held.ID, s.key("cancel"))
	if err != nil || cancelled.Status != contracts.AppointmentCancelled {
		t.Fatalf("cancel: %+v %v, want cancelled", cancelled, err)
	}
	if again, err := s.MIS.Cancel(ctx(t), held.ID, s.key("cancel-again")); err != nil || again.Status != contracts.AppointmentCancelled {
		t.Errorf("cancelling a cancelled appointment: %+v %v, want it to succeed and change nothing", again, err)
	}
	if read, err := s.MIS.FindHold(ctx(t), req); err != nil || read.Status != contracts.AppointmentCancelled {
		t.Errorf("read after cancel: %+v %v, want cancelled", read, err)
	}
}

func (s *suite) taken(t *testing.T) {
	sl := s.freeSlot(t, nil)
	first, err := s.hold(t, sl, s.key("first"))
	if err != nil {
		t.Fatalf("first hold: %v", err)
	}
	s.release(t, first)
	if _, err := s.hold(t, sl, s.key("second")); !errors.Is(err, contracts.ErrSlotTaken) {
		t.Fatalf("second hold with another key: %v, want ErrSlotTaken", err)
	}
}

func (s *suite) repeated(t *testing.T) {
	sl := s.freeSlot(t, nil)
	key := s.key("repeat")
	first, err := s.hold(t, sl, key)
	if err != nil {
		t.Fatalf("hold: %v", err)
	}
	s.release(t, first)
	again, err := s.hold(t, sl, key)
	if err != nil || again.ID != first.ID {
		t.Fatalf("the same hold again: %+v %v, want appointment %s", again, err, first.ID)
	}
	book := contracts.BookRequest{AppointmentID: first.ID, Hold: s.request(sl, key), IdempotencyKey: s.key("book")}
	booked, err := s.MIS.Book(ctx(t), book)
	if err != nil {
		t.Fatal(err)
	}
	rebooked, err := s.MIS.Book(ctx(t), book)
	if err != nil || rebooked.ID != booked.ID || rebooked.Status != contracts.AppointmentBooked {
		t.Fatalf("the same book again: %+v %v, want %s booked", rebooked, err, booked.ID)
	}
	found, err := s.MIS.FindHold(ctx(t), s.request(sl, key))
	if err != nil || found.ID != first.ID || found.Status != contracts.AppointmentBooked {
		t.Errorf("find the hold: %+v %v, want %s booked", found, err, first.ID)
	}
}

func (s *suite) race(t *testing.T) {
	sl := s.freeSlot(t, nil)
	const clients = 12
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []contracts.Appointment
		others  []error
	)
	for i := range clients {
		wg.Go(func() {
			a, err := s.hold(t, sl, s.key(fmt.Sprint("race-", i)))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				winners = append(winners, a)
			} else {
				others = append(others, err)
			}
		})
	}
	wg.Wait()
	for _, w := range winners {
		s.release(t, w)
	}
	if len(winners) != 1 {
		t.Fatalf("%d of %d clients hold the slot, want exactly one", len(winners), clients)
	}
	for _, err := range others {
		if !errors.Is(err, contracts.ErrSlotTaken) {
			t.Errorf("a losing client got %v, want ErrSlotTaken", err)
		}
	}
}

func (s *suite) refused(t *testing.T, kind contracts.Kind, refused func(contracts.Slot) bool) {
	sl := s.freeSlot(t, refused)
	a, err := s.hold(t, sl, s.key("refused"))
	if err == nil {
		s.release(t, a)
	}
	if contracts.KindOf(err) != kind {
		t.Fatalf("hold of slot %s (%s at %s): %v (kind %v), want %v", sl.ID, sl.Specialty.Code, sl.Facility.ID, err, contracts.KindOf(err), kind)
	}
	if slot, err := s.MIS.ReadSlot(ctx(t), sl.ID); err != nil || !slot.Free {
		t.Errorf("after the refusal the slot reads %+v, %v; want still free", slot, err)
	}
}

func (s *suite) lostAnswer(t *testing.T) {
	sl := s.freeSlot(t, nil)
	key := s.key("lost")
	s.LoseAnswers(true)
	_, err := s.hold(t, sl, key)
	s.LoseAnswers(false)
	if !errors.Is(err, contracts.ErrOutcomeUnknown) {
		t.Fatalf("hold whose answer is lost: %v, want ErrOutcomeUnknown (never a guess)", err)
	}
	found, err := s.MIS.FindHold(ctx(t), s.request(sl, key))
	if err != nil {
		t.Fatalf("find the hold after the lost answer: %v", err)
	}
	s.release(t, found)
	again, err := s.hold(t, sl, key)
	if err != nil || again.ID != found.ID {
		t.Fatalf("the hold repeated with its key: %+v %v, want the one made, %s", again, err, found.ID)
	}
	if _, err := s.hold(t, sl, s.key("other")); !errors.Is(err, contracts.ErrSlotTaken) {
		t.Errorf("another client's hold: %v, want ErrSlotTaken: the lost hold stands, once", err)
	}
}

// afterRestart is the lost answer again, resolved by a broker that has
// restarted since: only the durable state and the HoldRequest (which the
// saga keeps sealed) are left to find the hold with.
func (s *suite) afterRestart(t *testing.T) {
	sl := s.freeSlot(t, nil)
	req := s.request(sl, s.key("restart"))
	s.LoseAnswers(true)
	_, err := s.MIS.Hold(ctx(t), req)
	s.LoseAnswers(false)
	if !errors.Is(err, contracts.ErrOutcomeUnknown) {
		t.Fatalf("hold whose answer is lost: %v, want ErrOutcomeUnknown", err)
	}
	fresh := s.Restarted(t)
	found, err := fresh.FindHold(ctx(t), req)
	if err != nil || found.ID == "" {
		t.Fatalf("the restarted adapter's read-back: %+v %v, want the hold made before the restart", found, err)
	}
	t.Cleanup(func() { _, _ = fresh.Cancel(context.Background(), found.ID, s.key("cleanup")) })
	booked, err := fresh.Book(ctx(t), contracts.BookRequest{AppointmentID: found.ID, Hold: req, IdempotencyKey: s.key("book")})
	if err != nil || booked.Status != contracts.AppointmentBooked {
		t.Fatalf("book after the restart: %+v %v, want booked", booked, err)
	}
	if again, err := fresh.Hold(ctx(t), req); err != nil || again.ID != found.ID {
		t.Fatalf("the hold repeated after the restart: %+v %v, want %s, not a second one", again, err, found.ID)
	}
	if _, err := s.hold(t, sl, s.key("other")); !errors.Is(err, contracts.ErrSlotTaken) {
		t.Errorf("another client's hold: %v, want ErrSlotTaken: the lost hold stands, once", err)
	}
	if released, err := fresh.Cancel(ctx(t), found.ID, s.key("release")); err != nil || released.Status != contracts.AppointmentCancelled {
		t.Fatalf("release after the restart: %+v %v, want cancelled", released, err)
	}
	if read, err := s.Restarted(t).FindHold(ctx(t), req); err != nil || read.Status != contracts.AppointmentCancelled {
		t.Errorf("read-back after the release: %+v %v, want cancelled", read, err)
	}
}

func (s *suite) notFound(t *testing.T) {
	never := contracts.HoldRequest{SlotID: "porttest-no-such-slot", Patient: s.Patient, IdempotencyKey: s.key("never-used")}
	if _, err := s.MIS.FindHold(ctx(t), never); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("finding a hold by a key never used: %v, want ErrNotFound", err)
	}
	s.unknownSlot(t)
}

func (s *suite) unknownSlot(t *testing.T) {
	if _, err := s.MIS.ReadSlot(ctx(t), "porttest-no-such-slot"); !errors.Is(err, contracts.ErrNotFound) {
		t.Errorf("reading an unknown slot: %v, want ErrNotFound", err)
	}
}

func (s *suite) readSlot(t *testing.T) {
	want := s.freeSlot(t, func(contracts.Slot) bool { return true })
	got, err := s.MIS.ReadSlot(ctx(t), want.ID)
	if err != nil {
		t.Fatalf("read slot %s: %v", want.ID, err)
	}
	if got.ID != want.ID || !got.Start.Equal(want.Start) || !got.End.Equal(want.End) || !got.Free ||
		got.Specialty.Code != want.Specialty.Code || got.Practitioner.ID != want.Practitioner.ID || got.Facility.ID != want.Facility.ID {
		t.Errorf("read slot %+v, want what search gave: %+v", got, want)
	}
	if _, off := got.Start.Zone(); off != offsetAt(s.loc, got.Start) {
		t.Errorf("read slot starts at %s, not in the region's offset", got.Start)
	}
}

func (s *suite) refusesBooking(t *testing.T) {
	sl := s.freeSlot(t, func(contracts.Slot) bool { return true })
	req := s.request(sl, s.key("elsewhere"))
	calls := map[string]func() error{
		"hold": func() error { _, err := s.MIS.Hold(ctx(t), req); return err },
		"book": func() error {
			_, err := s.MIS.Book(ctx(t), contracts.BookRequest{AppointmentID: "porttest-appointment", Hold: req, IdempotencyKey: s.key("book")})
			return err
		},
		"cancel":    func() error { _, err := s.MIS.Cancel(ctx(t), "porttest-appointment", s.key("cancel")); return err },
		"find hold": func() error { _, err := s.MIS.FindHold(ctx(t), req); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, contracts.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if after, err := s.MIS.ReadSlot(ctx(t), sl.ID); err != nil || !after.Free {
		t.Errorf("after the refused calls slot %s reads %+v, %v: want it free still", sl.ID, after, err)
	}
}

// offsetAt is the region's UTC offset at instant t, in seconds.
func offsetAt(loc *time.Location, t time.Time) int {
	_, off := t.In(loc).Zone()
	return off
}
