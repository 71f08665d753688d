package bookings

import (
	"context"
	"fmt"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// The citizen guards refuse a new booking before anything is asked of an
// MIS: one that overlaps in time a live booking of the same citizen in any
// region, and one past the cap on a citizen's active bookings. The store
// runs the final check in the transaction that inserts the booking, one
// citizen at a time (sagas.Store.CreateGuarded), so two concurrent
// requests cannot both pass.

// DefaultMaxActivePerCitizen is the cap on a citizen's active bookings
// unless configured otherwise.
const DefaultMaxActivePerCitizen = 10

// Errors of the citizen guards, for errors.Is; the errors returned are an
// *OverlapError and a *TooManyError, which say more.
var (
	// ErrOverlaps: the slot overlaps another live booking of the citizen.
	ErrOverlaps = contracts.NewError(contracts.KindConflict, "the slot overlaps another booking of the citizen")
	// ErrTooManyActive: the citizen holds as many active bookings as allowed.
	ErrTooManyActive = contracts.NewError(contracts.KindConflict, "the citizen has too many active bookings")
)

// OverlapError names the citizen's own booking the new slot overlaps.
type OverlapError struct {
	// Other is the id of the citizen's booking whose slot overlaps.
	Other      string
	Start, End time.Time // its slot, in its region's offset
}

func (e *OverlapError) Error() string {
	return fmt.Sprintf("the slot overlaps booking %s (%s to %s)", e.Other, e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339))
}

// Unwrap makes the error an ErrOverlaps.
func (e *OverlapError) Unwrap() error { return ErrOverlaps }

// PublicDetail is the problem's detail: the citizen's own booking and its
// time, which the citizen may read.
func (e *OverlapError) PublicDetail() string {
	return fmt.Sprintf("Your booking %s from %s to %s overlaps this slot. Cancel it or choose another time.",
		e.Other, e.Start.Format(time.RFC3339), e.End.Format(time.RFC3339))
}

// TooManyError is a refusal at the cap of Max active bookings.
type TooManyError struct{ Max int }

func (e *TooManyError) Error() string {
	return fmt.Sprintf("the citizen has %d active bookings, the most allowed", e.Max)
}

// Unwrap makes the error an ErrTooManyActive.
func (e *TooManyError) Unwrap() error { return ErrTooManyActive }

// PublicDetail is the problem's detail, with the cap.
func (e *TooManyError) PublicDetail() string {
	return fmt.Sprintf("You already have %d active bookings, the most one citizen may hold. Cancel one, or book again after a visit.", e.Max)
}

// guards are the rules of one service.
type guards struct {
	maxActive     int // ≤ 0: no cap
	allowOverlaps bool
}

// check refuses b given the citizen's load as of now (sagas.Store.Load
// for b's slot, b itself left out).
func (g guards) check(b *sagas.Booking, load sagas.CitizenLoad, now time.Time) error {
	if !g.allowOverlaps {
		for _, o := range load.Near {
			if overlaps(b.Slot, o.Slot) {
				return &OverlapError{Other: o.ID, Start: o.Slot.Start, End: o.Slot.End}
			}
			if o.Move != nil && overlaps(b.Slot, o.Move.Slot) {
				// A booking being moved holds its new time too.
				return &OverlapError{Other: o.ID, Start: o.Move.Slot.Start, End: o.Move.Slot.End}
			}
		}
	}
	if g.maxActive > 0 && load.Active >= g.maxActive {
		return &TooManyError{Max: g.maxActive}
	}
	return nil
}

// overlaps reports whether two slots share an instant: [start, end)
// intervals compared as instants, whatever each region's UTC offset.
func overlaps(a, b sagas.SlotSnapshot) bool {
	return a.Start.Before(b.End) && b.Start.Before(a.End)
}

// precheck refuses a citizen at the cap before the slot is even described
// (which may ask the MIS for it): the store's check at the insert decides,
// this spares the region a read. The booking of a request run again is
// not counted against its own request.
func (s *Service) precheck(ctx context.Context, id, citizen string) error {
	if s.guards.maxActive <= 0 {
		return nil
	}
	now := s.cfg.Now()
	load, err := s.cfg.Bookings.Load(ctx, citizen, sagas.SlotSnapshot{}, now, id)
	if err != nil {
		return err
	}
	capOnly := guards{maxActive: s.guards.maxActive, allowOverlaps: true}
	return capOnly.check(&sagas.Booking{}, load, now)
}

// guard is the check the store runs on b's insert.
func (s *Service) guard(b *sagas.Booking) func(sagas.CitizenLoad) error {
	return func(load sagas.CitizenLoad) error { return s.guards.check(b, load, b.CreatedAt) }
}
