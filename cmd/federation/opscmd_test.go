package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/system"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/store"
)

// demoStore makes a demo's --data directory holding one pending booking
// whose first command the relay already sent, and returns the directory.
func demoStore(t *testing.T, id string) string {
	t.Helper()
	dir, ctx := t.TempDir(), context.Background()
	if err := system.Migrate(ctx, system.Options{DataDir: dir}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, system.StoreConfig(system.Options{DataDir: dir}), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := sagas.NewBooking(id, "pseudonym", sagas.SlotSnapshot{ID: "77:S-1", MISSlotID: "S-1"}, "77", nil, "corr", time.Now(), time.Minute)
	if err := st.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	outbox(t, st)
	return dir
}

// outbox returns the store's outbox and empties it.
func outbox(t *testing.T, st *store.DB) []sagas.OutboxRecord {
	t.Helper()
	recs, err := st.FetchOutbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, r := range recs {
		seqs = append(seqs, r.Seq)
	}
	if err := st.DeleteOutbox(context.Background(), seqs); err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestSagaRetryNeedsOnlyTheStoreAndQueuesTheCommandInItsOutbox(t *testing.T) {
	dir := demoStore(t, "b1")
	var stdout, stderr bytes.Buffer
	if err := runSaga(context.Background(), []string{"retry", "--data", dir, "--operator", "kira", "--reason", "INC-7", "b1"}, &stdout, &stderr); err != nil {
		t.Fatalf("saga retry: %v (%s)", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "booking b1") {
		t.Errorf("saga retry printed %q", stdout.String())
	}
	st, err := store.Open(context.Background(), system.StoreConfig(system.Options{DataDir: dir}), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recs := outbox(t, st)
	if len(recs) != 1 || recs[0].Topic != contracts.RegionTopic("77") {
		t.Fatalf("outbox after retry: %+v, want one message for %s", recs, contracts.RegionTopic("77"))
	}
	if cmd, err := contracts.DecodeSagaCommand(recs[0].Payload); err != nil || cmd.SagaID != "b1" || cmd.Kind != contracts.SagaBooking {
		t.Errorf("queued %+v (%v), want a booking command for b1", cmd, err)
	}
}

func TestSagaRetryOfAnUnknownBookingIsAClearError(t *testing.T) {
	dir := demoStore(t, "b1")
	var stdout, stderr bytes.Buffer
	err := runSaga(context.Background(), []string{"retry", "--data", dir, "--operator", "kira", "--reason", "INC-7", "b2"}, &stdout, &stderr)
	if !errors.Is(err, contracts.ErrNotFound) || !strings.Contains(err.Error(), `no booking "b2"`) {
		t.Errorf("saga retry of an unknown booking: %v, want a not-found error naming it", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("printed %q for a booking that does not exist", stdout.String())
	}
}

func TestSagaRetryRefusesKafkaFlagsItHasNoUseFor(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runSaga(context.Background(), []string{"retry", "--brokers", "127.0.0.1:9092", "--data", t.TempDir(), "b1"}, &stdout, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "brokers") {
		t.Errorf("saga retry --brokers: %v, stderr %q; want the flag refused", err, stderr.String())
	}
}
