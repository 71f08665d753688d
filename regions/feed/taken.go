package feed

import (
	"context"
	"fmt"

	"github.com/fedhealth/federation/contracts"
)

// MarkTaken records that slotID was booked through the broker, so it is
// not offered again even though the feed still says free: the clinic
// learns of the booking only from the region's operators, and its feed
// catches up later, if ever. The mark lasts across polls until the feed
// itself says busy or drops the slot. Marking a slot twice, or one the
// feed already says is busy, changes nothing. ErrNotFound when the data
// set in force has no such slot.
//
// Marks live in memory: the booking records the broker keeps are the
// durable truth, and the caller marks their slots again after a restart.
func (s *Source) MarkTaken(_ context.Context, slotID string) error {
	const op = "mark_taken"
	if !validID(slotID) {
		return fmt.Errorf("%s in region %s: malformed slot id: %w", op, s.cfg.Region.Code, contracts.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snap == nil {
		return fmt.Errorf("%s in region %s: the slot feed has never been read: %w", op, s.cfg.Region.Code, contracts.ErrRegionUnavailable)
	}
	e, ok := s.snap.byID[slotID]
	if !ok {
		return fmt.Errorf("%s in region %s: slot %s: %w", op, s.cfg.Region.Code, slotID, contracts.ErrNotFound)
	}
	if e.slot.Free {
		s.taken[slotID] = true
	}
	return nil
}

// ReleaseTaken undoes MarkTaken, for a booking that failed or was declined
// while the clinic's feed still offers the slot. Releasing a slot that is
// not marked changes nothing.
func (s *Source) ReleaseTaken(_ context.Context, slotID string) error {
	if !validID(slotID) {
		return fmt.Errorf("release_taken in region %s: malformed slot id: %w", s.cfg.Region.Code, contracts.ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.taken, slotID)
	return nil
}
