package fhir

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// SearchSlots lists free slots matching q, ordered by start time, with
// times in the region's location.
func (c *Client) SearchSlots(ctx context.Context, q contracts.SlotQuery) ([]contracts.Slot, error) {
	const op = "search_slots"
	query, err := c.slotQuery(q)
	if err != nil {
		return nil, fmt.Errorf("%s in region %s: %w", op, c.cfg.Region.Code, err)
	}
	var b misv2.Bundle
	if err := c.do(ctx, call{op: op, method: "GET", path: "/Slot", query: query}, &b); err != nil {
		return nil, err
	}
	slots, err := c.slotsOf(b)
	if err != nil {
		return nil, c.brokenAnswer(op, err)
	}
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].Start.Before(slots[j].Start) })
	return slots, nil
}

// slotQuery renders q. From and To are calendar dates: taken in the
// region's location, so an instant such as time.Now() names the region's
// today and a date at midnight UTC keeps its date (every Russian zone is
// east of UTC).
func (c *Client) slotQuery(q contracts.SlotQuery) (url.Values, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("negative limit: %w", contracts.ErrInvalid)
	}
	if !q.From.IsZero() && !q.To.IsZero() && c.date(q.To) < c.date(q.From) {
		return nil, fmt.Errorf("date range ends before it starts: %w", contracts.ErrInvalid)
	}
	v := url.Values{"status": {"free"}}
	setIf(v, "specialty", q.Specialty)
	setIf(v, "practitioner", q.PractitionerID)
	setIf(v, "location", q.FacilityID)
	if !q.From.IsZero() {
		v.Add("start", "ge"+c.date(q.From))
	}
	if !q.To.IsZero() {
		v.Add("start", "le"+c.date(q.To))
	}
	if q.Limit > 0 {
		v.Set("_count", strconv.Itoa(q.Limit))
	}
	return v, nil
}

func (c *Client) date(t time.Time) string { return t.In(c.loc).Format(time.DateOnly) }

func setIf(v url.Values, key, value string) {
	if value != "" {
		v.Set(key, value)
	}
}

// ReadSlot returns one slot, free or not; ErrNotFound when the MIS has none
// with that id.
func (c *Client) ReadSlot(ctx context.Context, slotID string) (contracts.Slot, error) {
	const op = "read_slot"
	if !validID(slotID) {
		return contracts.Slot{}, fmt.Errorf("%s in region %s: malformed slot id: %w", op, c.cfg.Region.Code, contracts.ErrInvalid)
	}
	var b misv2.Bundle
	err := c.do(ctx, call{op: op, method: "GET", path: "/Slot", query: url.Values{"_id": {slotID}}}, &b)
	if err != nil {
		return contracts.Slot{}, err
	}
	slots, err := c.slotsOf(b)
	if err != nil {
		return contracts.Slot{}, c.brokenAnswer(op, err)
	}
	for _, s := range slots {
		if s.ID == slotID {
			return s, nil
		}
	}
	return contracts.Slot{}, fmt.Errorf("%s in region %s: slot %s: %w", op, c.cfg.Region.Code, slotID, contracts.ErrNotFound)
}

// brokenAnswer wraps an answer that parsed as JSON but breaks the contract.
func (c *Client) brokenAnswer(op string, err error) error {
	return fmt.Errorf("%s in region %s: answer breaks the contract: %v: %w", op, c.cfg.Region.Code, err, contracts.ErrRegionUnavailable)
}
