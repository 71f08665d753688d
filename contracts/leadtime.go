package contracts

import (
	"encoding/json"
	"fmt"
	"time"
)

// TopicLeadTimes carries SlotLeadTime v1, keyed by region: samples of how
// far ahead the next free slot is, for analytics.
const TopicLeadTimes = "fed.slot.leadtime.v1"

// SlotLeadTime v1 is one observation of the earliest free slot of a
// region and specialty, as a citizen's search from today saw it. It is an
// aggregate sample, with no personal data and no search terms beyond the
// specialty; publishers send at most one per region and specialty a
// minute, and losing one is harmless. Like BookingEvent it grows only by
// optional fields, which readers ignore when they do not know them.
type SlotLeadTime struct {
	Version   int    `json:"v"`
	EventID   string `json:"event_id"`
	Region    string `json:"region"`
	Specialty string `json:"specialty"`
	// ObservedAt is when the search ran; EarliestStart the start of the
	// earliest free slot it found. The lead time is their difference.
	ObservedAt    time.Time `json:"observed_at"`
	EarliestStart time.Time `json:"earliest_start"`
}

// Validate reports what is wrong with l, wrapping ErrInvalid.
func (l SlotLeadTime) Validate() error {
	switch {
	case l.Version != MessageVersion:
		return fmt.Errorf("slot lead time version %d not supported: %w", l.Version, ErrInvalid)
	case l.EventID == "" || !ValidRegionCode(l.Region):
		return fmt.Errorf("slot lead time needs event_id and a region code: %w", ErrInvalid)
	case l.ObservedAt.IsZero() || l.EarliestStart.IsZero():
		return fmt.Errorf("slot lead time needs observed_at and earliest_start: %w", ErrInvalid)
	}
	return nil
}

// DecodeSlotLeadTime parses and validates a SlotLeadTime v1, leniently
// (unknown fields are ignored). Malformed JSON and broken rules wrap
// ErrInvalid.
func DecodeSlotLeadTime(payload []byte) (SlotLeadTime, error) {
	var l SlotLeadTime
	if err := json.Unmarshal(payload, &l); err != nil {
		return SlotLeadTime{}, fmt.Errorf("decode slot lead time: %v: %w", err, ErrInvalid)
	}
	return l, l.Validate()
}
