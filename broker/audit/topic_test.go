package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/sagas/bus"
	"github.com/fedhealth/federation/sagas/bus/kafka"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	"github.com/jonboulle/clockwork"
)

// outage is a publisher that fails while down, as Kafka does when it is
// unreachable, and delivers through watermill's in-memory pub/sub otherwise.
type outage struct {
	message.Publisher
	down atomic.Bool
}

func (o *outage) Publish(topic string, msgs ...*message.Message) error {
	if o.down.Load() {
		return errors.New("kafka: dial tcp 127.0.0.1:9092: connection refused")
	}
	return o.Publisher.Publish(topic, msgs...)
}

func TestEveryRecordReachesTheTopicAlthoughKafkaWasDownWhenItWasWritten(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, _ := open(t)
		c := clockwork.NewFakeClockAt(t0)
		s := newStore(t, db, c)
		ctx := context.Background()
		gc := gochannel.NewGoChannel(gochannel.Config{Persistent: true}, watermill.NopLogger{})
		t.Cleanup(func() { gc.Close() })
		copies, err := gc.Subscribe(ctx, "staging."+audit.Topic)
		if err != nil {
			t.Fatal(err)
		}
		pub := &outage{Publisher: gc}
		relay := bus.NewRelay(s, pub, nil)
		relay.Namespace = "staging."

		pub.down.Store(true)
		var appended []audit.Record
		for _, b := range []string{"b1", "b2", ""} {
			r, err := s.Append(ctx, citizenRead("p-anna", b))
			if err != nil {
				t.Fatalf("append while Kafka is down: %v", err)
			}
			appended = append(appended, r)
		}
		if n, err := relay.Flush(ctx); err == nil || n != 0 {
			t.Fatalf("flush while Kafka is down: %d, %v; want an error", n, err)
		}
		if recs, _ := s.List(ctx, audit.Filter{}); len(recs) != 3 {
			t.Fatalf("the trail holds %d records after the failed publish, want 3", len(recs))
		}

		pub.down.Store(false)
		if n, err := relay.Flush(ctx); n != 0 || err != nil {
			t.Errorf("flush within the failed round's lease: %d, %v; want nothing yet", n, err)
		}
		c.Advance(31 * time.Second) // the lease ran out
		if n, err := relay.Flush(ctx); n != 3 || err != nil {
			t.Fatalf("flush after Kafka came back: %d, %v; want the 3 copies", n, err)
		}
		want := map[string]audit.Record{}
		for _, r := range appended {
			want[r.ID] = r
		}
		for range appended { // the in-memory pub/sub does not keep the order
			msg := <-copies
			msg.Ack()
			var got audit.Message
			if err := json.Unmarshal(msg.Payload, &got); err != nil {
				t.Fatal(err)
			}
			w := want[msg.UUID]
			wantKey := w.BookingID
			if wantKey == "" {
				wantKey = w.Actor
			}
			if got.Version != audit.MessageVersion || got.Record != w || msg.Metadata.Get(kafka.KeyMetadata) != wantKey {
				t.Errorf("copy %s %+v key %q, want the record %+v keyed %q", msg.UUID, got, msg.Metadata.Get(kafka.KeyMetadata), w, wantKey)
			}
			delete(want, msg.UUID)
		}
		c.Advance(time.Hour)
		if n, err := relay.Flush(ctx); n != 0 || err != nil {
			t.Errorf("flush after everything was published: %d, %v; want nothing", n, err)
		}
		if recs, _ := s.List(ctx, audit.Filter{}); len(recs) != 3 {
			t.Errorf("publishing removed records: %d left, want 3", len(recs))
		}
	})
}

func TestInstancesSharingTheTrailPublishEachCopyOnceAndTakeOverACrashedOnesCopies(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, another := open(t)
		c := clockwork.NewFakeClockAt(t0)
		a, b := newStore(t, db, c), newStore(t, another(), c)
		ctx := context.Background()
		const n = 60
		for range n {
			if _, err := a.Append(ctx, citizenRead("p-anna", "b1")); err != nil {
				t.Fatal(err)
			}
		}
		// Both instances publish at once, in small batches.
		var (
			mu   sync.Mutex
			seen = map[string]int{}
			wg   sync.WaitGroup
		)
		for _, s := range []*audit.Store{a, b} {
			wg.Go(func() {
				for {
					recs, err := s.FetchOutbox(ctx, 5)
					if err != nil {
						t.Error(err)
						return
					}
					if len(recs) == 0 {
						return
					}
					mu.Lock()
					for _, r := range recs {
						seen[r.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != n {
			t.Errorf("%d copies fetched, want %d", len(seen), n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("copy %s fetched %d times while its lease ran", id, k)
			}
		}
		// Nobody deleted them: as if both instances crashed after fetching.
		c.Advance(time.Minute)
		recs, err := b.FetchOutbox(ctx, 1000)
		if err != nil || len(recs) != n {
			t.Errorf("after the leases ran out: %d copies (%v), want all %d again", len(recs), err, n)
		}
	})
}
