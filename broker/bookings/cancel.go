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
// returns the booking as it stands then (cancelling). Cancelling a booking
// that is cancelling or cancelled already changes nothing and succeeds;
// any other state is ErrNotCancellable.
func (s *Service) CancelBooking(ctx context.Context, cmd CancelBooking) (Booking, error) {
	citizen := s.CitizenKey(cmd.Citizen)
	err := s.cfg.Bookings.Update(ctx, cmd.ID, func(b *sagas.Booking) error {
		switch {
		case b.Citizen != citizen:
			return fmt.Errorf("booking: %w", contracts.ErrNotFound)
		case b.Status == sagas.StatusCancelling || b.Status == sagas.StatusCancelled:
			return errAlreadyCancelling
		}
		if err := b.RequestCancel(s.cfg.Now()); err != nil {
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
	b, err := s.own(ctx, cmd.ID, citizen)
	if err != nil {
		return Booking{}, err
	}
	return toBooking(b), nil
}
