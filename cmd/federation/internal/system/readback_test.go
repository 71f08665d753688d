package system_test

import (
	"context"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/sagas"
)

// A JSON-RPC clinic makes the appointment and loses the answer, and cannot
// be read back; the booking fails at its deadline; the broker is restarted
// on the same data, with no memory of the patient. The release still finds
// the appointment (the MIS reads back only by OMS policy and birth date,
// which the booking keeps sealed until the release has finished) and
// cancels it: one appointment at the clinic, cancelled, and the sealed
// identifiers erased once the saga has ended.
func TestAJSONRPCHoldWhoseAnswerWasLostIsReleasedAfterARestart(t *testing.T) {
	sim, srv := startRPCSim(t, 5)
	h := newHarness(t, 1, func(o *system.Options) {
		o.BookingDeadline = 2 * time.Second
		o.Regions = append(o.Regions, jsonrpcRegion(srv.URL, 300*time.Millisecond, breaker.Config{MaxConcurrent: 16}))
	})
	tok := h.token("moskvichka")
	slot := h.freeSlots(tok, "50", 1)[0]
	if err := sim.SetFaults(missim.Faults{TimeoutAfterCommitRate: 1, ReadErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	id := h.book(tok, slot.ID)
	h.waitStatus(tok, id, 15*time.Second, "failed")
	if b := h.stored(id); b.Step != sagas.StepRelease || len(b.PatientSealed) == 0 {
		t.Fatalf("the failed booking is at %s with %d sealed bytes; want releasing, the patient still sealed", b.Step, len(b.PatientSealed))
	}
	h.stop()
	if err := sim.SetFaults(missim.Faults{}); err != nil {
		t.Fatal(err)
	}
	h.start() // a new process: nothing of the first one's memory
	deadline := time.Now().Add(20 * time.Second)
	for b := h.stored(id); b.Step != sagas.StepDone; b = h.stored(id) {
		if time.Now().After(deadline) {
			t.Fatalf("the release has not finished after the restart: booking %s at %s, the clinic holds %+v", b.Status, b.Step, sim.Appointments())
		}
		time.Sleep(50 * time.Millisecond)
	}
	b := h.stored(id)
	if b.Status != sagas.StatusFailed || b.PatientSealed != nil {
		t.Errorf("booking %s with %d sealed bytes, want failed with the identifiers erased", b.Status, len(b.PatientSealed))
	}
	appts := sim.Appointments()
	if len(appts) != 1 || appts[0].Status != jsonrpc.StatusCancelled {
		t.Errorf("the clinic holds %+v, want the one appointment the lost call made, cancelled", appts)
	}
}

// stored reads booking id from the store, as the sagas see it.
func (h *harness) stored(id string) *sagas.Booking {
	h.t.Helper()
	b, err := h.sys.Store.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}
