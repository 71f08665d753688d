package soap_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/soapsim"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

func TestSearchFiltersAndTheRegionsOffset(t *testing.T) {
	w := newWorld(t, sqldbtest.SQLite, soapsim.Config{Seed: 3}, nil)
	ctx := context.Background()
	loc, _ := time.LoadLocation(tz)
	day := time.Now().In(loc).AddDate(0, 0, 2)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	first := w.firstFree(t, missim.SpecialtyTherapy)
	q := contracts.SlotQuery{Specialty: missim.SpecialtyTherapy, FacilityID: first.Facility.ID, PractitionerID: first.Practitioner.ID, From: day, To: day}
	slots, err := w.client.SearchSlots(ctx, q)
	if err != nil || len(slots) == 0 {
		t.Fatalf("search = %d slots, %v", len(slots), err)
	}
	for i, s := range slots {
		if _, off := s.Start.Zone(); off != 10*3600 || s.Start.Format(time.DateOnly) != day.Format(time.DateOnly) {
			t.Fatalf("slot %s starts %v, want on %s at +10:00", s.ID, s.Start, day.Format(time.DateOnly))
		}
		if s.Specialty.Code != missim.SpecialtyTherapy || s.Facility.ID != first.Facility.ID || s.Practitioner.ID != first.Practitioner.ID || !s.Free {
			t.Fatalf("slot %+v does not match the filters", s)
		}
		if i > 0 && s.Start.Before(slots[i-1].Start) {
			t.Fatal("slots are not ordered by start")
		}
	}
	read, err := w.client.ReadSlot(ctx, slots[0].ID)
	if err != nil || !read.Start.Equal(slots[0].Start) || read.Facility != slots[0].Facility {
		t.Fatalf("ReadSlot = %+v, %v", read, err)
	}
	if _, err := w.client.ReadSlot(ctx, "SL-0"); !errors.Is(err, contracts.ErrNotFound) {
		t.Fatalf("ReadSlot of an unknown slot = %v, want ErrNotFound", err)
	}
	if got, err := w.client.SearchSlots(ctx, contracts.SlotQuery{Limit: 5}); err != nil || len(got) != 5 {
		t.Fatalf("limit 5 gave %d, %v", len(got), err)
	}
}

func TestHoldBookCancelAndRepeats(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		w := newWorld(t, open, soapsim.Config{}, nil)
		ctx := context.Background()
		slot := w.firstFree(t, missim.SpecialtyCardiology)
		req := contracts.HoldRequest{SlotID: slot.ID, Patient: patient(1), IdempotencyKey: "b1/hold"}
		held, err := w.client.Hold(ctx, req)
		if err != nil || held.Status != contracts.AppointmentHeld || held.ID == "" || held.HoldKey != req.IdempotencyKey {
			t.Fatalf("Hold = %+v, %v", held, err)
		}
		if w.booked() != 1 {
			t.Fatal("a hold of this kind is an appointment the clinic sees at once")
		}
		again, err := w.client.Hold(ctx, req)
		if err != nil || again.ID != held.ID || len(w.sim.Appointments()) != 1 {
			t.Fatalf("repeated Hold = %+v, %v; %d appointments", again, err, len(w.sim.Appointments()))
		}
		if _, err := w.client.Hold(ctx, contracts.HoldRequest{SlotID: "SL-2", Patient: patient(1), IdempotencyKey: "b1/hold"}); !errors.Is(err, contracts.ErrInvalid) {
			t.Fatalf("Hold of another slot with the same key = %v, want ErrInvalid", err)
		}
		for range 2 {
			booked, err := w.client.Book(ctx, contracts.BookRequest{AppointmentID: held.ID, Hold: req, IdempotencyKey: "b1/book"})
			if err != nil || booked.Status != contracts.AppointmentBooked || booked.SlotID != slot.ID {
				t.Fatalf("Book = %+v, %v", booked, err)
			}
		}
		if busy, err := w.client.ReadSlot(ctx, slot.ID); err != nil || busy.Free {
			t.Fatalf("the booked slot reads %+v, %v", busy, err)
		}
		for range 2 {
			c, err := w.client.Cancel(ctx, held.ID, "b1/cancel")
			if err != nil || c.Status != contracts.AppointmentCancelled {
				t.Fatalf("Cancel = %+v, %v", c, err)
			}
		}
		if _, err := w.client.Book(ctx, contracts.BookRequest{AppointmentID: held.ID, Hold: req, IdempotencyKey: "b1/book"}); !errors.Is(err, contracts.ErrHoldExpired) {
			t.Fatalf("Book of a cancelled hold = %v, want ErrHoldExpired", err)
		}
		found, err := w.client.FindHold(ctx, req)
		if err != nil || found.ID != held.ID || found.Status != contracts.AppointmentCancelled {
			t.Fatalf("FindHold = %+v, %v", found, err)
		}
		if _, err := w.client.FindHold(ctx, contracts.HoldRequest{IdempotencyKey: "never"}); !errors.Is(err, contracts.ErrNotFound) {
			t.Fatalf("FindHold of an unused key = %v, want ErrNotFound", err)
		}
		if _, err := w.client.Cancel(ctx, "B-99", "x"); !errors.Is(err, contracts.ErrNotFound) {
			t.Fatalf("Cancel of an unknown appointment = %v, want ErrNotFound", err)
		}
		if len(w.sim.Appointments()) != 1 {
			t.Fatalf("%d appointments at the MIS, want 1", len(w.sim.Appointments()))
		}
	})
}

func TestEachFaultBecomesItsKind(t *testing.T) {
	w := newWorld(t, sqldbtest.SQLite, soapsim.Config{RequireAttachment: []string{missim.SpecialtyTherapy}, RequireReferral: []string{missim.SpecialtySurgery}}, nil)
	ctx := context.Background()
	hold := func(slot, key string, p contracts.Patient) error {
		_, err := w.client.Hold(ctx, contracts.HoldRequest{SlotID: slot, Patient: p, IdempotencyKey: key})
		return err
	}
	therapist := w.firstFree(t, missim.SpecialtyTherapy)
	outsider := 1
	for w.sim.AttachedFacility(patient(outsider).SNILS, "") == therapist.Facility.ID {
		outsider++
	}
	wantKind(t, "not attached", hold(therapist.ID, "k1", patient(outsider)), contracts.KindNotAttached)
	wantKind(t, "referral", hold(w.firstFree(t, missim.SpecialtySurgery).ID, "k2", patient(1)), contracts.KindReferralRequired)
	wantKind(t, "unknown slot", hold("SL-0", "k3", patient(1)), contracts.KindNotFound)
	wantKind(t, "malformed SNILS", hold(therapist.ID, "k4", contracts.Patient{SNILS: "12"}), contracts.KindInvalid)

	slot := w.firstFree(t, missim.SpecialtyCardiology)
	if err := hold(slot.ID, "k5", patient(1)); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "taken slot", hold(slot.ID, "k6", patient(2)), contracts.KindSlotTaken)

	w.setFaults(t, missim.Faults{Down: true})
	wantKind(t, "down", hold(slot.ID, "k7", patient(3)), contracts.KindUnavailable)
	_, err := w.client.SearchSlots(ctx, contracts.SlotQuery{})
	wantKind(t, "search while down", err, contracts.KindUnavailable)
	w.setFaults(t, missim.Faults{ErrorRate: 1})
	wantKind(t, "busy", hold(slot.ID, "k8", patient(3)), contracts.KindUnavailable)
	w.setFaults(t, missim.Faults{})
}

func TestACommitWithoutAnswerIsResolvedByReadBack(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		w := newWorld(t, open, soapsim.Config{}, func(c *soap.Config) { c.CallTimeout = 300 * time.Millisecond })
		ctx := context.Background()
		for _, path := range []string{"FindHold", "Hold"} {
			t.Run("then "+path, func(t *testing.T) {
				slot := w.firstFree(t, missim.SpecialtyNeurology)
				req := contracts.HoldRequest{SlotID: slot.ID, Patient: patient(7), IdempotencyKey: "lost/" + path}
				before := len(w.sim.Appointments())
				w.setFaults(t, missim.Faults{TimeoutAfterCommitRate: 1})
				_, err := w.client.Hold(ctx, req)
				w.setFaults(t, missim.Faults{})
				wantKind(t, "Hold whose answer is lost", err, contracts.KindOutcomeUnknown)
				if len(w.sim.Appointments()) != before+1 {
					t.Fatal("the MIS should have committed the appointment")
				}
				var got contracts.Appointment
				if path == "FindHold" {
					got, err = w.client.FindHold(ctx, req)
				} else {
					got, err = w.client.Hold(ctx, req)
				}
				made := w.sim.Appointments()[before]
				if err != nil || got.ID != made.ID {
					t.Fatalf("%s after the lost answer = %+v, %v; want %s", path, got, err, made.ID)
				}
				// Everything after that answers from the ledger: no second appointment.
				again, err := w.client.Hold(ctx, req)
				if err != nil || again.ID != made.ID || len(w.sim.Appointments()) != before+1 {
					t.Fatalf("repeat = %+v, %v, %d appointments", again, err, len(w.sim.Appointments()))
				}
			})
		}
		t.Run("a lost answer of a hold that never landed creates once", func(t *testing.T) {
			slot := w.firstFree(t, missim.SpecialtyNeurology)
			req := contracts.HoldRequest{SlotID: slot.ID, Patient: patient(8), IdempotencyKey: "never-landed"}
			w.setFaults(t, missim.Faults{Down: true})
			_, err := w.client.Hold(ctx, req)
			w.setFaults(t, missim.Faults{})
			wantKind(t, "Hold while down", err, contracts.KindUnavailable)
			if _, err := w.client.FindHold(ctx, req); !errors.Is(err, contracts.ErrNotFound) {
				t.Fatalf("FindHold = %v, want ErrNotFound", err)
			}
			if _, err := w.client.Hold(ctx, req); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestTwentyClientsOneSlotExactlyOneWins(t *testing.T) {
	w := newWorld(t, sqldbtest.SQLite, soapsim.Config{}, nil)
	slot := w.firstFree(t, missim.SpecialtyDentistry)
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		wins, taken int
	)
	for i := range 20 {
		wg.Go(func() {
			_, err := w.client.Hold(context.Background(), contracts.HoldRequest{SlotID: slot.ID, Patient: patient(100 + i), IdempotencyKey: "race/" + pad4(i)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, contracts.ErrSlotTaken):
				taken++
			default:
				t.Errorf("hold %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || taken != 19 || w.booked() != 1 {
		t.Fatalf("wins %d, taken %d, booked %d; want 1, 19, 1", wins, taken, w.booked())
	}
}
