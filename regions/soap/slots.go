package soap

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/slotoffset"
)

// errOffset marks a slot whose time carries a UTC offset the region does
// not have at that instant: refused rather than repaired, since the broker
// cannot tell whether the wall time or the instant is wrong.
var errOffset = errors.New("slot time's UTC offset is not the region's")

// searchParallel bounds the GetScheduleInfo calls one search makes at
// once: enough to hide the latency of a region's handful of organisations,
// few enough not to flood its MIS.
const searchParallel = 4

// SearchSlots lists the free slots matching q, ordered by start. The style
// has no region-wide schedule: GetScheduleInfo answers for one
// organisation. With q.FacilityID that is one call; without it the
// organisations come from the cached directory (Organisations, of q's
// specialty when it has one), each is asked at most searchParallel at a
// time, and the answers are merged by start and cut to q.Limit. One
// organisation's failure fails the search with its error: a citizen must
// not take a silently partial list for the region's. Slots whose times
// carry another offset than the region's are left out and logged.
func (c *Client) SearchSlots(ctx context.Context, q contracts.SlotQuery) ([]contracts.Slot, error) {
	if q.Limit < 0 || (!q.From.IsZero() && !q.To.IsZero() && c.date(q.To) < c.date(q.From)) {
		return nil, c.errorf(MethodGetScheduleInfo, "limit below 0 or To before From: %w", contracts.ErrInvalid)
	}
	if q.FacilityID != "" {
		return c.searchOrganisation(ctx, q, q.FacilityID)
	}
	mos, err := c.Organisations(ctx, q.Specialty)
	if err != nil {
		return nil, err
	}
	found := make([][]contracts.Slot, len(mos))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(searchParallel)
	for i, mo := range mos {
		g.Go(func() error {
			slots, err := c.searchOrganisation(gctx, q, mo.OID)
			found[i] = slots
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var out []contracts.Slot
	for _, slots := range found {
		out = append(out, slots...)
	}
	// Stable, so slots of one start keep the directory's order of their
	// organisations and each organisation's own order.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// searchOrganisation lists the free slots of the organisation moOID that
// match q (one GetScheduleInfo), ordered by start and cut to q.Limit: the
// first q.Limit of each organisation are all a merged search can need.
func (c *Client) searchOrganisation(ctx context.Context, q contracts.SlotQuery, moOID string) ([]contracts.Slot, error) {
	req := &GetScheduleInfoRequest{MOOID: moOID, PostCode: q.Specialty, ResourceID: q.PractitionerID, MaxCount: q.Limit}
	if !q.From.IsZero() {
		req.StartDate = c.date(q.From)
	}
	if !q.To.IsZero() {
		req.EndDate = c.date(q.To)
	}
	var resp GetScheduleInfoResponse
	if err := c.call(ctx, MethodGetScheduleInfo, false, req, &resp); err != nil {
		return nil, err
	}
	out := make([]contracts.Slot, 0, len(resp.Slots))
	for _, s := range resp.Slots {
		sl, err := c.slot(s)
		if err != nil {
			c.log.Warn("slot refused", "slot_id", s.SlotID, "error", err)
			continue
		}
		if sl.Free {
			out = append(out, sl)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// ReadSlot returns one slot, free or busy (GetScheduleInfo by Slot_Id).
func (c *Client) ReadSlot(ctx context.Context, slotID string) (contracts.Slot, error) {
	if slotID == "" {
		return contracts.Slot{}, c.errorf(MethodGetScheduleInfo, "slot id required: %w", contracts.ErrInvalid)
	}
	var resp GetScheduleInfoResponse
	if err := c.call(ctx, MethodGetScheduleInfo, false, &GetScheduleInfoRequest{SlotID: slotID}, &resp); err != nil {
		return contracts.Slot{}, err
	}
	for _, s := range resp.Slots {
		if s.SlotID == slotID {
			sl, err := c.slot(s)
			if err != nil {
				return contracts.Slot{}, c.errorf(MethodGetScheduleInfo, "%v: %w", err, contracts.ErrRegionUnavailable)
			}
			return sl, nil
		}
	}
	return contracts.Slot{}, c.errorf(MethodGetScheduleInfo, "slot %s: %w", slotID, contracts.ErrNotFound)
}

// slot converts one schedule slot, checking its times.
func (c *Client) slot(s ScheduleSlot) (contracts.Slot, error) {
	start, err1 := c.when(s.SlotID, s.Start)
	end, err2 := c.when(s.SlotID, s.End)
	if err := errors.Join(err1, err2); err != nil {
		return contracts.Slot{}, fmt.Errorf("slot %s: %w", s.SlotID, err)
	}
	if s.SlotID == "" || !end.After(start) || (s.State != SlotFree && s.State != SlotBusy) {
		return contracts.Slot{}, fmt.Errorf("slot %q: no id, end not after start, or state %q unknown", s.SlotID, s.State)
	}
	return contracts.Slot{
		ID: s.SlotID, Start: start, End: end, Free: s.State == SlotFree,
		Specialty:    contracts.Coding{System: misv2.SpecialtySystem, Code: s.Post.Code, Display: s.Post.Name},
		Practitioner: contracts.Practitioner{ID: s.Resource.ID, Name: s.Resource.Name},
		Facility:     contracts.Facility{ID: s.MO.OID, Name: s.MO.Name, Address: s.MO.Address},
	}, nil
}

// when parses an xs:dateTime that must carry the region's offset at that
// instant, and returns it in the region's location.
// A slot refused for its offset is counted for operators (regions/slotoffset).
func (c *Client) when(slotID, v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q is not an xs:dateTime with offset", v)
	}
	if m := slotoffset.Check(slotID, t, c.loc); m != nil {
		m.SeenAt = time.Now()
		c.offsets.Add(*m)
		return time.Time{}, fmt.Errorf("%s: %w (region's is %s)", v, errOffset, m.Want)
	}
	return t.In(c.loc), nil
}

// SlotOffsetMismatches returns the region's count of slots refused for
// their offset and the latest example, for operators.
func (c *Client) SlotOffsetMismatches() slotoffset.Report { return c.offsets.Report() }

func (c *Client) date(t time.Time) string { return t.In(c.loc).Format(time.DateOnly) }
