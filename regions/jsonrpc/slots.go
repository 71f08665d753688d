package jsonrpc

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// errOffset marks a slot whose time carries a UTC offset the region does
// not have at that instant: refused rather than repaired, since the broker
// cannot tell whether the wall time or the instant is wrong.
var errOffset = errors.New("slot time's UTC offset is not the region's")

// SearchSlots lists the free slots matching q
// (getAvailableResourceScheduleInfo), ordered by start. Slots whose times
// carry another offset than the region's are left out and logged.
func (c *Client) SearchSlots(ctx context.Context, q contracts.SlotQuery) ([]contracts.Slot, error) {
	if q.Limit < 0 || (!q.From.IsZero() && !q.To.IsZero() && c.date(q.To) < c.date(q.From)) {
		return nil, c.errorf(MethodSchedule, "limit below 0 or To before From: %w", contracts.ErrInvalid)
	}
	p := &ScheduleParams{SpecialityID: q.Specialty, AvailableResourceID: q.PractitionerID, LpuID: q.FacilityID, MaxCount: q.Limit}
	if !q.From.IsZero() {
		p.StartDate = c.date(q.From)
	}
	if !q.To.IsZero() {
		p.EndDate = c.date(q.To)
	}
	var res ScheduleResult
	if err := c.call(ctx, MethodSchedule, p, &res); err != nil {
		return nil, err
	}
	var out []contracts.Slot
	for _, day := range res.ScheduleOfDay {
		for _, s := range day.ScheduleBySlot {
			sl, err := c.slot(s)
			if err != nil {
				c.log.Warn("slot refused", "resource_id", s.AvailableResource.ID, "error", err)
				continue
			}
			if sl.Free {
				out = append(out, sl)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// ReadSlot returns one slot, free or busy: the schedule of the slot's
// resource at its start time, busy slots included.
func (c *Client) ReadSlot(ctx context.Context, slotID string) (contracts.Slot, error) {
	resource, start, _, ok := ParseSlotID(slotID)
	if !ok {
		return contracts.Slot{}, c.errorf(MethodSchedule, "slot %q is not a slot id of this kind: %w", slotID, contracts.ErrNotFound)
	}
	var res ScheduleResult
	p := &ScheduleParams{AvailableResourceID: resource, StartTime: c.wire(start), IncludeBusy: true}
	if err := c.call(ctx, MethodSchedule, p, &res); err != nil {
		return contracts.Slot{}, err
	}
	for _, day := range res.ScheduleOfDay {
		for _, s := range day.ScheduleBySlot {
			sl, err := c.slot(s)
			if err != nil {
				return contracts.Slot{}, c.errorf(MethodSchedule, "%v: %w", err, contracts.ErrRegionUnavailable)
			}
			if sl.ID == slotID {
				return sl, nil
			}
		}
	}
	return contracts.Slot{}, c.errorf(MethodSchedule, "slot %s: %w", slotID, contracts.ErrNotFound)
}

// slot converts one schedule slot, checking its times.
func (c *Client) slot(s ScheduleSlot) (contracts.Slot, error) {
	start, err1 := c.when(s.StartTime)
	end, err2 := c.when(s.EndTime)
	if err := errors.Join(err1, err2); err != nil {
		return contracts.Slot{}, err
	}
	r := s.AvailableResource
	if r.ID == "" || !end.After(start) || end.Sub(start) > 24*time.Hour || start.Second() != 0 || end.Second() != 0 {
		return contracts.Slot{}, fmt.Errorf("slot of resource %q at %s: no resource, or not whole minutes within a day", r.ID, s.StartTime)
	}
	return contracts.Slot{
		ID: SlotID(r.ID, start, end), Start: start, End: end, Free: s.Available,
		Specialty:    contracts.Coding{System: misv2.SpecialtySystem, Code: r.SpecialityID, Display: r.SpecialityName},
		Practitioner: contracts.Practitioner{ID: r.ID, Name: r.Name},
		Facility:     contracts.Facility{ID: s.Lpu.ID, Name: s.Lpu.Name, Address: s.Lpu.Address},
	}, nil
}

// when parses an RFC 3339 time that must carry the region's offset at that
// instant, and returns it in the region's location.
func (c *Client) when(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q is not RFC 3339 with an offset", v)
	}
	_, got := t.Zone()
	if _, want := t.In(c.loc).Zone(); got != want {
		return time.Time{}, fmt.Errorf("%s: %w (region's is %s)", v, errOffset, t.In(c.loc).Format("-07:00"))
	}
	return t.In(c.loc), nil
}

// wire renders t as the API writes times: RFC 3339 in the region's offset.
func (c *Client) wire(t time.Time) string { return t.In(c.loc).Format(time.RFC3339) }

func (c *Client) date(t time.Time) string { return t.In(c.loc).Format(time.DateOnly) }
