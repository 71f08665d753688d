package ops_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/cmd/federation/internal/ops"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/store"
)

var now = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// newStore opens a real SQLite store in a temporary directory.
func newStore(t *testing.T) *store.DB {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "federation.db")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// create stores a booking in region 77, moved on by then (nil: left
// pending at the hold step), and empties the outbox as the relay would
// have done, so only what the operator's action writes is left in it.
func create(t *testing.T, st *store.DB, id string, then func(*sagas.Booking) error) {
	t.Helper()
	ctx := context.Background()
	b := sagas.NewBooking(id, "citizen-pseudonym", sagas.SlotSnapshot{ID: "77:S-1", MISSlotID: "S-1"}, "77", nil, "corr-"+id, now, time.Minute)
	if err := st.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if then != nil {
		if err := st.Update(ctx, id, then); err != nil {
			t.Fatal(err)
		}
	}
	drain(t, st)
}

// drain returns the outbox's messages and deletes them.
func drain(t *testing.T, st *store.DB) []sagas.OutboxRecord {
	t.Helper()
	recs, err := st.FetchOutbox(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	seqs := make([]int64, len(recs))
	for i, r := range recs {
		seqs[i] = r.Seq
	}
	if err := st.DeleteOutbox(context.Background(), seqs); err != nil {
		t.Fatal(err)
	}
	return recs
}

// commands decodes the saga commands among recs.
func commands(t *testing.T, recs []sagas.OutboxRecord) []contracts.SagaCommand {
	t.Helper()
	var out []contracts.SagaCommand
	for _, r := range recs {
		if r.Topic == contracts.TopicEvents {
			continue
		}
		cmd, err := contracts.DecodeSagaCommand(r.Payload)
		if err != nil {
			t.Fatalf("outbox message on %s: %v", r.Topic, err)
		}
		if r.Topic != contracts.RegionTopic(cmd.Region) || r.Key != cmd.SagaID {
			t.Errorf("command for %s in region %s sent to %s with key %q", cmd.SagaID, cmd.Region, r.Topic, r.Key)
		}
		out = append(out, cmd)
	}
	return out
}

func confirm(b *sagas.Booking) error {
	b.Held(contracts.Appointment{ID: "A1", Status: contracts.AppointmentHeld}, now)
	b.Confirm(contracts.Appointment{ID: "A1", Status: contracts.AppointmentBooked}, now)
	return nil
}

func TestRetryQueuesTheSagasCommandInTheOutbox(t *testing.T) {
	cases := []struct {
		name string
		then func(*sagas.Booking) error
		want contracts.SagaKind
	}{
		{"a booking stuck at its hold gets a booking command", nil, contracts.SagaBooking},
		{"a release that stalled gets a booking command", func(b *sagas.Booking) error { b.Fail("region gone", now); return nil }, contracts.SagaBooking},
		{"a cancellation that stalled gets a cancellation command", func(b *sagas.Booking) error {
			_ = confirm(b)
			return b.RequestCancel(now)
		}, contracts.SagaCancellation},
		{"a finished saga gets a command it will find nothing to do for", confirm, contracts.SagaBooking},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			create(t, st, "b1", tc.then)
			before, _ := st.Get(context.Background(), "b1")
			b, err := ops.RetrySaga(context.Background(), st, "b1", now.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if b.Status != before.Status || b.Step != before.Step || len(b.Timeline) != len(before.Timeline) {
				t.Errorf("retry changed the booking: %s/%s, was %s/%s", b.Status, b.Step, before.Status, before.Step)
			}
			cmds := commands(t, drain(t, st))
			if len(cmds) != 1 || cmds[0].SagaID != "b1" || cmds[0].Kind != tc.want || cmds[0].CorrelationID != "corr-b1" {
				t.Errorf("outbox holds %+v, want one %s command for b1", cmds, tc.want)
			}
		})
	}
}

func TestRetryOfAnUnknownBookingSaysSoAndWritesNothing(t *testing.T) {
	st := newStore(t)
	_, err := ops.RetrySaga(context.Background(), st, "no-such-booking", now)
	if !errors.Is(err, contracts.ErrNotFound) || !strings.Contains(err.Error(), `no booking "no-such-booking"`) {
		t.Errorf("got %v, want a not-found error naming the booking", err)
	}
	if recs := drain(t, st); len(recs) != 0 {
		t.Errorf("outbox holds %d messages", len(recs))
	}
}

func TestAbandonFailsAPendingBookingAndQueuesItsRelease(t *testing.T) {
	st := newStore(t)
	create(t, st, "b1", nil)
	b, err := ops.AbandonSaga(context.Background(), st, "b1", now)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != sagas.StatusFailed || b.Reason != sagas.ReasonAbandoned || b.Step != sagas.StepRelease {
		t.Errorf("abandoned booking is %s/%s %q", b.Status, b.Step, b.Reason)
	}
	if cmds := commands(t, drain(t, st)); len(cmds) != 1 || cmds[0].Kind != contracts.SagaBooking {
		t.Errorf("outbox holds %+v, want the release's booking command", cmds)
	}
}

func TestAbandonRefusesABookingThatIsNotPending(t *testing.T) {
	st := newStore(t)
	create(t, st, "b1", confirm)
	if _, err := ops.AbandonSaga(context.Background(), st, "b1", now); !errors.Is(err, contracts.ErrConflict) {
		t.Errorf("abandoning a confirmed booking: %v, want ErrConflict", err)
	}
	if b, _ := ops.ShowSaga(context.Background(), st, "b1"); b.Status != sagas.StatusConfirmed {
		t.Errorf("booking is %s after a refused abandon", b.Status)
	}
	if recs := drain(t, st); len(recs) != 0 {
		t.Errorf("outbox holds %d messages after a refused abandon", len(recs))
	}
}

// createFeed stores a feed region's booking, pending for its operator.
func createFeed(t *testing.T, st *store.DB, id string) {
	t.Helper()
	b := sagas.NewOperatorBooking(id, "citizen-pseudonym", sagas.SlotSnapshot{ID: "27:S-1", MISSlotID: "S-1"}, "27",
		[]byte("sealed"), "corr-"+id, now, 24*time.Hour)
	if err := st.Create(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	drain(t, st)
}

func TestRetryOfAFeedBookingIsRefusedAndSendsNothing(t *testing.T) {
	st := newStore(t)
	createFeed(t, st, "f1")
	_, err := ops.RetrySaga(context.Background(), st, "f1", now)
	if !errors.Is(err, contracts.ErrConflict) || !strings.Contains(err.Error(), "operators") {
		t.Errorf("retry of a feed booking: %v, want a conflict saying its operators answer it", err)
	}
	if recs := drain(t, st); len(recs) != 0 {
		t.Errorf("a refused retry wrote %d messages", len(recs))
	}
}

func TestAbandonEndsAFeedBookingWithoutARelease(t *testing.T) {
	st := newStore(t)
	createFeed(t, st, "f1")
	b, err := ops.AbandonSaga(context.Background(), st, "f1", now)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != sagas.StatusFailed || b.Reason != sagas.ReasonAbandoned || b.Step != sagas.StepDone || b.PatientSealed != nil {
		t.Errorf("abandoned feed booking is %s/%s %q (sealed %v)", b.Status, b.Step, b.Reason, b.PatientSealed != nil)
	}
	if cmds := commands(t, drain(t, st)); len(cmds) != 0 {
		t.Errorf("abandoning a feed booking queued %+v: no saga may receive it", cmds)
	}
	if live, _ := st.LiveOperatorSlots(context.Background(), "27", time.Time{}); len(live) != 0 {
		t.Errorf("its slot is still live: %v", live)
	}
}
