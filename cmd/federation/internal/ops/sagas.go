package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// ShowSaga returns booking id with its timeline.
func ShowSaga(ctx context.Context, st sagas.Store, id string) (*sagas.Booking, error) {
	b, err := st.Get(ctx, id)
	return b, explain(id, err)
}

// RetrySaga sends the saga of booking id a new command, for a saga whose
// command was lost or dead-lettered after its cause was fixed. It is the
// booking's Nudge applied in st.Update, so the command is written to the
// outbox in the same transaction and the running broker's outbox relay
// publishes it to the region's topic (at once or, with no broker running,
// when one starts). Harmless on a saga with nothing left to do: the saga
// finds the booking done and changes nothing. A feed region's booking has
// no saga (its region's operators answer it): an error wrapping
// contracts.ErrConflict that says so, and nothing is sent.
func RetrySaga(ctx context.Context, st sagas.Store, id string, now time.Time) (*sagas.Booking, error) {
	err := st.Update(ctx, id, func(b *sagas.Booking) error { return b.Nudge(now) })
	if err != nil {
		return nil, explain(id, err)
	}
	return ShowSaga(ctx, st, id)
}

// AbandonSaga fails a pending booking now, with a reason the citizen reads;
// the broker's running saga then releases whatever the MIS holds for it (a
// feed region's booking has nothing at an MIS: it leaves the operator
// queue, its slot is offered again and the patient's identifiers erased).
// The change and its release command are written in one transaction, so
// they leave through the outbox like any saga step. A booking that is not
// pending gives an error wrapping contracts.ErrConflict.
func AbandonSaga(ctx context.Context, st sagas.Store, id string, now time.Time) (*sagas.Booking, error) {
	err := st.Update(ctx, id, func(b *sagas.Booking) error { return b.Abandon(now) })
	if err != nil {
		return nil, explain(id, err)
	}
	return ShowSaga(ctx, st, id)
}

// explain says which booking an error is about, and for an unknown one
// where the operator may have gone wrong.
func explain(id string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, contracts.ErrNotFound):
		return fmt.Errorf("no booking %q in this store (is --config or --data the broker's?): %w", id, contracts.ErrNotFound)
	}
	return fmt.Errorf("booking %s: %w", id, err)
}
