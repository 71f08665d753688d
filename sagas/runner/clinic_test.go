package runner_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/clinic"
	"github.com/fedhealth/federation/sagas/runner"
	"github.com/fedhealth/federation/sagas/store"
)

// The runner consumes the clinic topic into the store, and dead-letters
// with its reason an event that can never be applied.
func TestClinicEventsReachTheStoreAndInvalidOnesTheDeadLetters(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "r.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Now().UTC()
	start := now.Add(48 * time.Hour)
	b := sagas.NewBooking("b1", "c1", sagas.SlotSnapshot{Start: start, End: start.Add(time.Hour)}, "01", nil, "", now, time.Minute)
	b.Confirm(contracts.Appointment{ID: "A-1"}, now)
	if err := db.Create(ctx, b); err != nil {
		t.Fatal(err)
	}

	pubsub := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, watermill.NopLogger{})
	dead := &recordingPublisher{}
	rt, err := runner.New(runner.Config{
		Regions: []string{"01"}, Sagas: map[contracts.SagaKind]runner.Advancer{contracts.SagaBooking: &recordingAdvancer{}},
		Sweeper: idleSweeper{}, Clinic: clinic.NewApplier(db, nil, nil),
		Subscriber:  func(string) (message.Subscriber, error) { return pubsub, nil },
		DeadLetters: dead, SweepEvery: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- rt.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-rt.Running()

	const visitedEarly = `{"v":1,"event_id":"e2","region":"01","appointment_id":"A-1","change":"visited","at":"2026-12-01T09:00:00Z"}`
	publishClinic(t, pubsub, `{"v":1,"event_id":"e1","region":"01","appointment_id":"A-1","change":"cancelled","reason_code":"clinic_closed","at":"2026-12-01T09:00:00Z"}`)
	eventually(t, "the clinic's cancellation reaches the booking", func() bool {
		got, err := db.Get(ctx, "b1")
		return err == nil && got.Status == sagas.StatusCancelled && got.CancelledBy == sagas.CancelledByClinic
	})
	publishClinic(t, pubsub, visitedEarly)
	eventually(t, "the visit of a cancelled booking is ignored, not dead-lettered", func() bool {
		ok, _ := db.ClinicEventApplied(ctx, "e2")
		return ok || len(dead.messages()) > 0
	})
	if letters := dead.messages(); len(letters) != 0 {
		t.Logf("reason %s", letters[0].Metadata.Get(middleware.ReasonForPoisonedKey))
		t.Fatalf("dead letters %v", payloads(letters))
	}
	publishClinic(t, pubsub, `{"v":1,"event_id":"e3"}`)
	eventually(t, "a malformed clinic event is dead-lettered", func() bool { return len(dead.messages()) == 1 })
	if reason := dead.messages()[0].Metadata.Get(middleware.ReasonForPoisonedKey); reason == "" {
		t.Error("the dead letter carries no reason")
	}
}

func publishClinic(t *testing.T, pub message.Publisher, payload string) {
	t.Helper()
	if err := pub.Publish(contracts.TopicClinic, message.NewMessage(watermill.NewUUID(), []byte(payload))); err != nil {
		t.Fatal(err)
	}
}
