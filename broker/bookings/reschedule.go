package bookings

import (
	"context"
	"errors"
	"fmt"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
)

// RescheduleBooking asks to move one of the citizen's confirmed bookings to
// SlotID, a slot of the same region.
type RescheduleBooking struct {
	Citizen       auth.Citizen
	ID            string
	SlotID        string
	CorrelationID string
}

// Errors of RescheduleBooking, each with a problem of its own.
var (
	// ErrNotReschedulable: the booking is not confirmed (or is being moved
	// already), or was made through another channel.
	ErrNotReschedulable = contracts.NewError(contracts.KindConflict, "booking cannot be rescheduled now")
	// ErrOtherRegion: the new slot is in another region than the booking.
	ErrOtherRegion = contracts.NewError(contracts.KindInvalid, "a booking moves only within its region")
	// ErrMovedByOperators: the booking's region is of kind feed, whose
	// bookings its operators handle; they do not move them yet.
	ErrMovedByOperators = contracts.NewError(contracts.KindUnsupported, "feed regions' bookings are not moved on the portal")
)

// RescheduleBooking starts the reschedule saga of a confirmed booking and
// returns the booking as it stands then (rescheduling). The new slot must
// be in the booking's region, and the citizen guards apply to it: it may
// not overlap another live booking of the citizen (the booking being moved
// excepted). Asked again while the same move runs, it changes nothing and
// answers the booking as it stands; anything else than confirmed is
// ErrNotReschedulable.
func (s *Service) RescheduleBooking(ctx context.Context, cmd RescheduleBooking) (Booking, error) {
	b, err := s.visible(ctx, cmd.ID, cmd.Citizen)
	if err != nil {
		return Booking{}, err
	}
	region, misID, err := ParseSlotID(cmd.SlotID)
	if err != nil {
		return Booking{}, err
	}
	if err := s.reschedulable(b, region, misID); err != nil {
		if errors.Is(err, errAlreadyMoving) {
			return toBooking(b), nil
		}
		return Booking{}, err
	}
	mis, err := s.cfg.Regions.MIS(region)
	if err != nil {
		return Booking{}, err
	}
	if err := s.admission.admit(ctx, region); err != nil {
		return Booking{}, err
	}
	slot, err := s.describeSlot(ctx, region, misID)
	if err != nil {
		return Booking{}, err
	}
	next := snapshot(region, slot)
	if err := s.movable(ctx, b, next); err != nil {
		return Booking{}, err
	}
	sealed, err := sagas.SealPatient(s.cfg.Sealer, b.ID, contracts.Patient{SNILS: cmd.Citizen.SNILS, OMS: cmd.Citizen.OMS, BirthDate: cmd.Citizen.BirthDate})
	if err != nil {
		return Booking{}, err
	}
	_, native := contracts.ShifterOf(mis)
	updateCtx, cancel := withoutCaller(ctx, s.cfg.CommitTimeout)
	defer cancel()
	err = s.cfg.Bookings.Update(updateCtx, b.ID, func(b *sagas.Booking) error {
		if err := s.reschedulable(b, region, misID); err != nil {
			return err
		}
		if err := b.RequestReschedule(next, native, sealed, s.cfg.Now(), s.deadline(region)); err != nil {
			return fmt.Errorf("%w: %v", ErrNotReschedulable, err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errAlreadyMoving) {
		return Booking{}, err
	}
	// Re-read: Update hands fn the booking without its timeline.
	if b, err = s.visible(ctx, cmd.ID, cmd.Citizen); err != nil {
		return Booking{}, err
	}
	return toBooking(b), nil
}

var errAlreadyMoving = errors.New("already moving to this slot")

// reschedulable checks that b may move to misID in region now.
func (s *Service) reschedulable(b *sagas.Booking, region, misID string) error {
	switch {
	case b.Saga == sagas.SagaClinic || b.Citizen == "":
		return fmt.Errorf("%w: booked through %s, not on the portal", ErrNotReschedulable, b.Channel)
	case region != b.Region:
		return fmt.Errorf("booking in region %s, slot in %s: %w", b.Region, region, ErrOtherRegion)
	case b.ViaOperator() || s.kinds[region] == contracts.RegionFeed:
		return fmt.Errorf("region %s: %w", region, ErrMovedByOperators)
	case b.Rescheduling() && b.Move.Slot.MISSlotID == misID:
		return errAlreadyMoving
	case b.Status != sagas.StatusConfirmed || b.Step != sagas.StepDone:
		return fmt.Errorf("booking is %s: %w", b.Status, ErrNotReschedulable)
	case b.Slot.MISSlotID == misID:
		return Invalid("the booking already stands at this slot; choose another")
	}
	return nil
}

// movable applies the citizen guard on overlaps to the new slot: the other
// live bookings of the citizen (their new slots too, for those being
// moved) may not overlap it; the booking being moved may. The cap does not
// apply: a move adds no booking.
func (s *Service) movable(ctx context.Context, b *sagas.Booking, next sagas.SlotSnapshot) error {
	if s.guards.allowOverlaps {
		return nil
	}
	live, err := s.cfg.Bookings.Live(ctx, b.Citizen, s.cfg.Now())
	if err != nil {
		return err
	}
	for _, o := range live {
		if o.ID == b.ID {
			continue
		}
		if overlaps(next, o.Slot) {
			return &OverlapError{Other: o.ID, Start: o.Slot.Start, End: o.Slot.End}
		}
		if o.Move != nil && overlaps(next, o.Move.Slot) {
			return &OverlapError{Other: o.ID, Start: o.Move.Slot.Start, End: o.Move.Slot.End}
		}
	}
	return nil
}
