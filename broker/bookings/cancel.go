package bookings

import (
	"context"
	"errors"
	"fmt"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// CancelBooking asks to cancel one of the citizen's bookings.
type CancelBooking struct {
	Citizen auth.Citizen
	ID      string
}

var errAlreadyCancelling = errors.New("already cancelling")

// CancelBooking starts the cancellation saga of a confirmed booking and
// returns the booking as it stands then (cancelling). A feed booking still
// awaiting its operator is withdrawn at once (cancelled: it leaves the
// queue and its slot is offered again). Cancelling a booking that is
// cancelling or cancelled already changes nothing and succeeds; any other
// state is ErrNotCancellable, and so is a booking made through another
// channel (docs/history.md): the portal never asked that MIS for it.
func (s *Service) CancelBooking(ctx context.Context, cmd CancelBooking) (Booking, error) {
	// Whether the citizen may see it is read first: Update loads no patient keys.
	seen, err := s.visible(ctx, cmd.ID, cmd.Citizen)
	if err != nil {
		return Booking{}, err
	}
	err = s.cfg.Bookings.Update(ctx, cmd.ID, func(b *sagas.Booking) error {
		switch {
		case b.Citizen != seen.Citizen:
			return fmt.Errorf("booking: %w", contracts.ErrNotFound)
		case b.Status == sagas.StatusCancelling || b.Status == sagas.StatusCancelled:
			return errAlreadyCancelling
		case b.Saga == sagas.SagaClinic:
			return fmt.Errorf("%w: booked through %s, not on the portal", ErrNotCancellable, b.Channel)
		}
		request := b.RequestCancel
		switch {
		case b.ViaOperator() && b.Step == sagas.StepOperator:
			request = b.OperatorWithdraw // the clinic was never asked to keep anything
		case b.ViaOperator():
			request = b.RequestOperatorCancel // the operator acknowledges it: no MIS to tell
		}
		if err := request(s.cfg.Now()); err != nil {
			return fmt.Errorf("%w: %v", ErrNotCancellable, err)
		}
		return nil
	})
	switch {
	case errors.Is(err, contracts.ErrNotFound):
		return Booking{}, fmt.Errorf("booking: %w", contracts.ErrNotFound) // as for another's
	case err != nil && !errors.Is(err, errAlreadyCancelling):
		return Booking{}, err
	}
	// Re-read: Update hands fn the booking without its timeline.
	b, err := s.visible(ctx, cmd.ID, cmd.Citizen)
	if err != nil {
		return Booking{}, err
	}
	if b.ViaOperator() {
		s.taken.forget(b.Region) // a withdrawn booking's slot is offered by this instance's next search
	}
	return toBooking(b), nil
}
