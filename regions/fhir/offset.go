package fhir

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// errOffsetMismatch marks a slot whose start or end carries a UTC offset
// the region does not have at that instant. Such a slot is refused, not
// repaired: the MIS may have relabelled a local wall time (the instant is
// then wrong by the difference) or shifted the instant (the wall time is
// then wrong), and the broker cannot tell which, so booking it could send
// the citizen at the wrong hour.
var errOffsetMismatch = errors.New("slot offset is not the region's")

// SlotOffsetMismatch is one slot an MIS gave with a UTC offset its region
// does not have at that instant. It names no person: the slot id and the
// two offsets, e.g. Got "+06:00", Want "+10:00".
type SlotOffsetMismatch struct {
	SlotID    string
	Got, Want string
	SeenAt    time.Time
}

// SlotOffsetReport counts the slots refused for their offset since the
// client was built, with the latest of them (zero while Count is 0).
type SlotOffsetReport struct {
	Count int64
	Last  SlotOffsetMismatch
}

// SlotOffsetMismatches returns the region's count of slots refused for
// their offset and the latest example, for operators. It is safe for
// concurrent use.
func (c *Client) SlotOffsetMismatches() SlotOffsetReport { return c.tel.offsets.report() }

// checkOffset reports a mismatch when t's offset, as written by the MIS,
// is not loc's offset at that instant.
func checkOffset(slotID string, t time.Time, loc *time.Location) *SlotOffsetMismatch {
	_, got := t.Zone()
	_, want := t.In(loc).Zone()
	if got == want {
		return nil
	}
	return &SlotOffsetMismatch{SlotID: slotID, Got: t.Format("-07:00"), Want: t.In(loc).Format("-07:00")}
}

// refuseSlot counts, logs and remembers a slot refused for its offset.
func (c *Client) refuseSlot(m SlotOffsetMismatch) {
	m.SeenAt = time.Now()
	c.tel.offsets.add(m)
	c.tel.offsetMismatch.Add(context.Background(), 1, metric.WithAttributes(attribute.String("region", c.cfg.Region.Code)))
	c.logger.Warn("slot refused: its UTC offset is not the region's at that instant, so its hour is not trustworthy",
		"slot_id", m.SlotID, "got_offset", m.Got, "want_offset", m.Want, "time_zone", c.cfg.Region.TimeZone)
}

// offsetLog keeps the count and the latest mismatch of one client.
type offsetLog struct {
	mu   sync.Mutex
	last SlotOffsetReport
}

func (l *offsetLog) add(m SlotOffsetMismatch) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last.Count++
	l.last.Last = m
}

func (l *offsetLog) report() SlotOffsetReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// offsetError wraps errOffsetMismatch with the example, for slotsOf.
type offsetError struct{ m SlotOffsetMismatch }

func (e *offsetError) Error() string {
	return fmt.Sprintf("slot %s: offset %s, region's %s: %v", e.m.SlotID, e.m.Got, e.m.Want, errOffsetMismatch)
}

func (e *offsetError) Unwrap() error { return errOffsetMismatch }
