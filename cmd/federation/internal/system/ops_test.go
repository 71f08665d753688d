package system_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/audit"
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
	letters, err := runner.ListDeadLetters(ctx, h.sys.KafkaAddrs, h.opts.KafkaSecurity, h.opts.KafkaNamespace, 100, 2*time.Second)
	if err != nil || len(letters) != 1 {
		t.Fatalf("list: %v %v, want one dead letter", letters, err)
	}
	d := letters[0]
	if d.FromTopic != h.opts.KafkaNamespace+"fed.saga.r77.v1" || d.Reason == "" || string(d.Payload) != string(cmd) {
		t.Errorf("dead letter %+v, want its origin, reason and payload", d)
	}
	kira := ops.Operator{Name: "kira", Reason: "INC-12: replay after the fix"}
	if _, err := ops.RetryDeadLetter(ctx, h.sys.Audit, kira, h.sys.KafkaAddrs, h.opts.KafkaSecurity, h.opts.KafkaNamespace, d.Partition, d.Offset); err != nil {
		t.Fatal(err)
	}
	// Still a ghost: it comes back to the dead-letter topic, a second time.
	h.deadLetters(2, 10*time.Second)
	if _, err := ops.RetryDeadLetter(ctx, h.sys.Audit, kira, h.sys.KafkaAddrs, h.opts.KafkaSecurity, h.opts.KafkaNamespace, d.Partition, d.Offset+1000); err == nil {
		t.Error("retrying a position with no dead letter succeeded")
	}
	recs, err := h.sys.Audit.List(ctx, audit.Filter{Actor: "kira"})
	if err != nil || len(recs) != 2 {
		t.Fatalf("audit trail: %+v (%v), want both replays recorded", recs, err)
	}
	if r := recs[0]; r.Action != audit.DeadLetterRetry || r.BookingID != "ghost" || r.Outcome != audit.OK || r.Reason != kira.Reason ||
		!strings.Contains(r.Target, "fed.saga.r77.v1") {
		t.Errorf("record of the replay: %+v, want dlq.retry of ghost's command, ok, with the reason and where it went", r)
	}
	if r := recs[1]; r.Outcome != audit.Failed || r.Detail == "" {
		t.Errorf("record of the replay of nothing: %+v, want it failed with why", r)
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
