package bookings

import (
	"context"
	"errors"
	"fmt"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas"
	"github.com/google/uuid"
)

// RequestBooking asks for a slot on the citizen's behalf. Key is the
// citizen's idempotency key for the request: the booking id derives from
// (citizen, key), so a request run again after a crash finds the booking
// it already created instead of making another.
type RequestBooking struct {
	Citizen       auth.Citizen
	SlotID        string
	Key           string
	CorrelationID string
}

// bookingNamespace makes booking ids from (citizen, key). Changing it would
// let a retry after the change book twice.
var bookingNamespace = uuid.MustParse("6f1c4d2a-7f0e-4c55-9a59-2b8f3c1e9d10")

// RequestBooking records the booking as pending and queues its saga, in one
// transaction, and returns it as the citizen first sees it. A request run
// again returns the booking as it was accepted (pending), whatever it has
// become since, so every run gives the same answer.
func (s *Service) RequestBooking(ctx context.Context, cmd RequestBooking) (Booking, error) {
	if cmd.Key == "" {
		return Booking{}, Invalid("a booking request needs its idempotency key")
	}
	region, misID, err := ParseSlotID(cmd.SlotID)
	if err != nil {
		return Booking{}, err
	}
	citizen := s.CitizenKey(cmd.Citizen)
	id := uuid.NewSHA1(bookingNamespace, []byte(citizen+"\x00"+cmd.Key)).String()
	// An unknown region is refused before admission reads (and remembers)
	// its queue, so made-up codes cost neither a query nor memory.
	if _, err := s.cfg.Regions.MIS(region); err != nil {
		return Booking{}, err
	}
	// The cap is checked before the slot is described when describing it
	// asks the MIS, overlaps once its time is known (at the insert, with
	// the cap again). A slot the index holds costs no read, and the
	// insert's check is the one that decides.
	if _, indexed := s.indexedSlot(region, misID); !indexed {
		err = s.precheck(ctx, id, citizen)
	}
	if err == nil {
		err = s.admission.admit(ctx, region)
	}
	var slot contracts.Slot
	if err == nil {
		slot, err = s.describeSlot(ctx, region, misID)
	}
	if err != nil {
		// A request run again after a crash may find its slot held (by its
		// own booking), its region busy or its citizen at the cap: the
		// booking it made is the answer.
		if existing, ownErr := s.own(ctx, id, citizen); ownErr == nil {
			return acceptedAgain(existing), nil
		}
		return Booking{}, err
	}
	sealed, err := sagas.SealPatient(s.cfg.Sealer, id, contracts.Patient{SNILS: cmd.Citizen.SNILS, OMS: cmd.Citizen.OMS, BirthDate: cmd.Citizen.BirthDate})
	if err != nil {
		return Booking{}, err
	}
	var b *sagas.Booking
	if s.kinds[region] == contracts.RegionFeed {
		// No MIS will hold the slot: the store arbitrates it (ErrSlotTaken
		// for the loser of a race) and the region's operators answer.
		b = sagas.NewOperatorBooking(id, citizen, snapshot(region, slot), region, sealed, cmd.CorrelationID,
			s.cfg.Now(), s.deadline(region))
	} else {
		b = sagas.NewBooking(id, citizen, snapshot(region, slot), region, sealed, cmd.CorrelationID,
			s.cfg.Now(), s.deadline(region))
	}
	b.PatientKeys = s.PatientKeys(cmd.Citizen)
	accepted := toBooking(b)
	// Once the slot is described, the booking is recorded even if the
	// citizen hangs up: the retry then finds it. The citizen guards run in
	// the same transaction, one request of the citizen at a time.
	createCtx, cancel := withoutCaller(ctx, s.cfg.CommitTimeout)
	defer cancel()
	err = s.cfg.Bookings.CreateGuarded(createCtx, b, s.guard(b))
	if errors.Is(err, ErrOverlaps) || errors.Is(err, ErrTooManyActive) {
		// The booking this request made, if it ended since, is still its
		// answer; otherwise the refusal is.
		if existing, ownErr := s.own(ctx, id, citizen); ownErr == nil {
			return acceptedAgain(existing), nil
		}
		return Booking{}, err
	}
	if errors.Is(err, contracts.ErrConflict) {
		existing, err := s.own(ctx, id, citizen)
		if err != nil {
			return Booking{}, err
		}
		return acceptedAgain(existing), nil
	}
	if err != nil {
		return Booking{}, err
	}
	if b.ViaOperator() {
		s.taken.forget(region) // this instance's next search sees the slot taken at once
	}
	return accepted, nil
}

// acceptedAgain is a booking as its first request answered it (pending),
// whatever it has become since, so that every run of one request gives the
// same answer.
func acceptedAgain(b *sagas.Booking) Booking {
	accepted := toBooking(b)
	accepted.Status, accepted.Reason, accepted.ReasonCode = sagas.StatusPending, "", ""
	return accepted
}

// own returns the booking if it belongs to the citizen. Another citizen's
// booking is reported exactly as a missing one, so ids cannot be probed.
func (s *Service) own(ctx context.Context, id, citizen string) (*sagas.Booking, error) {
	b, err := s.cfg.Bookings.Get(ctx, id)
	if errors.Is(err, contracts.ErrNotFound) || (err == nil && b.Citizen != citizen) {
		return nil, fmt.Errorf("booking: %w", contracts.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}
