package system_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/ops"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/runner"
)

func TestAnOperatorCanListAndReplayDeadLetters(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("kira")
	// A command for a booking the broker has not stored yet (as if it came
	// from another instance's store that was restored late): dead-lettered.
	id := h.book(tok, h.freeSlots(tok, "77", 1)[0].ID)
	h.waitStatus(tok, id, 10*time.Second, "confirmed")
	cmd, _ := json.Marshal(map[string]any{"v": 1, "saga_id": "ghost", "kind": "booking", "region": "77"})
	h.publishRaw(h.publisher(), "fed.saga.r77.v1", cmd)
	h.deadLetters(1, 10*time.Second)

	ctx := context.Background()
	letters, err := runner.ListDeadLetters(ctx, h.sys.KafkaAddrs, h.opts.KafkaNamespace, 100, 2*time.Second)
	if err != nil || len(letters) != 1 {
		t.Fatalf("list: %v %v, want one dead letter", letters, err)
	}
	d := letters[0]
	if d.FromTopic != h.opts.KafkaNamespace+"fed.saga.r77.v1" || d.Reason == "" || string(d.Payload) != string(cmd) {
		t.Errorf("dead letter %+v, want its origin, reason and payload", d)
	}
	if _, err := runner.RetryDeadLetter(ctx, h.sys.KafkaAddrs, h.opts.KafkaNamespace, d.Partition, d.Offset); err != nil {
		t.Fatal(err)
	}
	// Still a ghost: it comes back to the dead-letter topic, a second time.
	h.deadLetters(2, 10*time.Second)
	if _, err := runner.RetryDeadLetter(ctx, h.sys.KafkaAddrs, h.opts.KafkaNamespace, d.Partition, d.Offset+1000); err == nil {
		t.Error("retrying a position with no dead letter succeeded")
	}
}

func TestAnOperatorCanAbandonAStuckBookingAndItsHoldIsReleased(t *testing.T) {
	h := newHarness(t, 1, nil)
	tok := h.token("lida")
	slot := h.freeSlots(tok, "77", 1)[0]
	h.faults("77", missim.Faults{LatencyMS: 400})
	id := h.book(tok, slot.ID)
	time.Sleep(100 * time.Millisecond) // the hold is under way
	b, err := ops.AbandonSaga(context.Background(), h.sys.Store, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != sagas.StatusFailed || b.Reason != sagas.ReasonAbandoned {
		t.Errorf("abandoned booking %s %q", b.Status, b.Reason)
	}
	h.faults("77", missim.Faults{})
	deadline := time.Now().Add(10 * time.Second)
	for live(h.appointments("77")) > 0 || h.booking(tok, id).Status != "failed" {
		if time.Now().After(deadline) {
			t.Fatalf("after abandoning: booking %s, clinic %+v", h.booking(tok, id).Status, h.appointments("77"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := ops.AbandonSaga(context.Background(), h.sys.Store, id, time.Now()); err == nil {
		t.Error("abandoning a finished booking succeeded")
	}
	if _, err := ops.RetrySaga(context.Background(), h.sys.Store, id, time.Now()); err != nil {
		t.Errorf("retrying a finished saga: %v, want harmless", err)
	}
}
