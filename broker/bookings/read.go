package bookings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// A long-poll re-reads its booking after firstReread, then at doubling
// intervals up to lastReread, for the changes other instances make (this
// instance's wake it at once).
const (
	firstReread = 500 * time.Millisecond
	lastReread  = 2 * time.Second
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
	until := s.cfg.Now().Add(q.Wait)
	reread := firstReread
	for {
		changed, stop := s.watch(q.ID, q.Wait)
		b, err := s.visible(ctx, q.ID, q.Citizen)
		remaining := until.Sub(s.cfg.Now())
		if err != nil || b.Status.Final() || remaining <= 0 {
			stop()
			if err != nil {
				return Booking{}, err
			}
			return toBooking(b), nil
		}
		// Changes made by other instances are not signalled: re-read, soon
		// at first (most bookings end within a second), then less and
		// less often, so that a region whose bookings stay pending (its
		// MIS down) does not have hundreds of waiters reading the store
		// twice a second each.
		select {
		case <-changed:
		case <-time.After(min(remaining, reread)):
			reread = min(2*reread, lastReread)
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
// It also starts, in the background and at most every ElsewhereEvery, the
// import of what the citizen's clinics booked for them through other
// channels where no scheduled pass can find it (Config.Elsewhere): those
// show on a later read.
func (s *Service) History(ctx context.Context, c auth.Citizen) ([]Booking, error) {
	key := s.CitizenKey(c)
	bs, err := s.cfg.Bookings.ListByCitizen(ctx, key, s.PatientKeys(c), historyLimit)
	if err != nil {
		return nil, err
	}
	s.elsewhere.start(ctx, key, c)
	out := make([]Booking, len(bs))
	for i, b := range bs {
		out[i] = toBooking(b)
	}
	return out, nil
}

// PatientKeys are the keys of the citizen's SNILS and OMS claims: how
// bookings made for them through another channel are found.
func (s *Service) PatientKeys(c auth.Citizen) []string {
	return s.cfg.Pseudonyms.PatientKeys(c.SNILS, c.OMS)
}

// visible returns the booking if the citizen may read it: their own, or one
// made elsewhere (no citizen) for a patient whose keys are the citizen's.
// Anything else is reported exactly as a missing one, as own does.
func (s *Service) visible(ctx context.Context, id string, c auth.Citizen) (*sagas.Booking, error) {
	b, err := s.cfg.Bookings.Get(ctx, id)
	if errors.Is(err, contracts.ErrNotFound) || (err == nil && !s.mayRead(b, c)) {
		return nil, fmt.Errorf("booking: %w", contracts.ErrNotFound)
	}
	return b, err
}

func (s *Service) mayRead(b *sagas.Booking, c auth.Citizen) bool {
	if b.Citizen != "" {
		return b.Citizen == s.CitizenKey(c)
	}
	keys := s.PatientKeys(c)
	return slices.ContainsFunc(b.PatientKeys, func(k string) bool { return slices.Contains(keys, k) })
}
