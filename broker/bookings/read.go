package bookings

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/broker/auth"
)

// historyLimit caps the bookings History returns.
const historyLimit = 200

// GetBooking reads one of the citizen's bookings. With Wait above zero it
// returns as soon as the booking is final, or when Wait is over: one
// request instead of a polling loop.
type GetBooking struct {
	Citizen auth.Citizen
	ID      string
	Wait    time.Duration
}

// GetBooking returns the booking; contracts.ErrNotFound when it does not
// exist or is another citizen's.
func (s *Service) GetBooking(ctx context.Context, q GetBooking) (Booking, error) {
	if q.Wait < 0 || q.Wait > s.cfg.MaxWait {
		return Booking{}, Invalid(fmt.Sprintf("wait must be a duration up to %s, e.g. 10s", s.cfg.MaxWait))
	}
	citizen := s.CitizenKey(q.Citizen)
	until := s.cfg.Now().Add(q.Wait)
	for {
		changed, stop := s.watch(q.ID, q.Wait)
		b, err := s.own(ctx, q.ID, citizen)
		remaining := until.Sub(s.cfg.Now())
		if err != nil || b.Status.Final() || remaining <= 0 {
			stop()
			if err != nil {
				return Booking{}, err
			}
			return toBooking(b), nil
		}
		// Changes made by other instances are not signalled: re-read at
		// least twice a second.
		select {
		case <-changed:
		case <-time.After(min(remaining, 500*time.Millisecond)):
		case <-ctx.Done():
			stop()
			return Booking{}, ctx.Err()
		}
		stop()
	}
}

func (s *Service) watch(id string, wait time.Duration) (<-chan struct{}, func()) {
	if wait <= 0 || s.cfg.Watch == nil {
		return nil, func() {}
	}
	return s.cfg.Watch(id)
}

// History returns the citizen's bookings in every region, newest first.
func (s *Service) History(ctx context.Context, c auth.Citizen) ([]Booking, error) {
	bs, err := s.cfg.Bookings.ListByCitizen(ctx, s.CitizenKey(c), historyLimit)
	if err != nil {
		return nil, err
	}
	out := make([]Booking, len(bs))
	for i, b := range bs {
		out[i] = toBooking(b)
	}
	return out, nil
}
