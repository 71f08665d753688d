package feed

import (
	"context"
	"fmt"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/feed/wire"
)

// Contact is how a person books a feed slot outside the broker: the
// publisher's deep link into its own booking portal and a phone number.
// The region's operators use it to confirm a booking in the clinic's own
// system; either may be empty.
type Contact struct {
	// DeepLink is the slot's booking-deep-link extension.
	DeepLink string
	// Phone is the slot's booking-phone extension, else the first phone of
	// its Location.
	Phone string
	// Capacity is the slot-capacity extension: how many patients the slot
	// stands for (1 when the publisher does not say).
	Capacity int
}

func contactOf(sl wire.Slot, loc wire.Location) Contact {
	c := Contact{Capacity: 1}
	for _, ext := range sl.Extension {
		switch ext.URL {
		case wire.BookingDeepLinkExtension, wire.HL7BookingDeepLinkExtension:
			c.DeepLink = ext.ValueURL
		case wire.BookingPhoneExtension, wire.HL7BookingPhoneExtension:
			c.Phone = ext.ValueString
		case wire.CapacityExtension, wire.HL7CapacityExtension:
			if ext.ValueInteger != nil && *ext.ValueInteger > 0 {
				c.Capacity = *ext.ValueInteger
			}
		}
	}
	for _, t := range loc.Telecom {
		if c.Phone == "" && t.System == "phone" {
			c.Phone = t.Value
		}
	}
	return c
}

// Contact returns how to book slotID at the clinic itself; ErrNotFound
// when the data set in force has no such slot.
func (s *Source) Contact(_ context.Context, slotID string) (Contact, error) {
	e, err := s.lookup("contact", slotID)
	if err != nil {
		return Contact{}, err
	}
	return e.contact, nil
}

// lookup finds slotID in the data set in force.
func (s *Source) lookup(op, slotID string) (*entry, error) {
	if !validID(slotID) {
		return nil, fmt.Errorf("%s in region %s: malformed slot id: %w", op, s.cfg.Region.Code, contracts.ErrInvalid)
	}
	s.mu.RLock()
	snap := s.snap
	s.mu.RUnlock()
	if snap == nil {
		return nil, fmt.Errorf("%s in region %s: the slot feed has never been read: %w", op, s.cfg.Region.Code, contracts.ErrRegionUnavailable)
	}
	e, ok := snap.byID[slotID]
	if !ok {
		return nil, fmt.Errorf("%s in region %s: slot %s: %w", op, s.cfg.Region.Code, slotID, contracts.ErrNotFound)
	}
	return e, nil
}
