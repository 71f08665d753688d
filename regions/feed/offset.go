package feed

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// SlotOffsetMismatch is one slot a feed gave with a UTC offset its region
// does not have at that instant, e.g. Got "+06:00", Want "+10:00". Such a
// slot is refused, not repaired: the publisher may have relabelled a wall
// time or shifted the instant, and the broker cannot tell which, so
// offering it could send the citizen at the wrong hour (as regions/fhir).
type SlotOffsetMismatch struct {
	SlotID    string
	Got, Want string
	SeenAt    time.Time
}

// SlotOffsetReport counts the slots refused for their offset since the
// source was built, with the latest of them (zero while Count is 0).
type SlotOffsetReport struct {
	Count int64
	Last  SlotOffsetMismatch
}

// checkOffset reports a mismatch when t's offset, as written by the
// publisher, is not loc's offset at that instant.
func checkOffset(slotID string, t time.Time, loc *time.Location) *SlotOffsetMismatch {
	_, got := t.Zone()
	_, want := t.In(loc).Zone()
	if got == want {
		return nil
	}
	return &SlotOffsetMismatch{SlotID: slotID, Got: t.Format("-07:00"), Want: t.In(loc).Format("-07:00")}
}

// refuseSlot counts, logs and remembers a slot refused for its offset.
func (s *Source) refuseSlot(m SlotOffsetMismatch) {
	m.SeenAt = s.cfg.Now()
	s.offsets.add(m)
	s.tel.offsetMismatch.Add(context.Background(), 1, metric.WithAttributes(attribute.String("region", s.cfg.Region.Code)))
	s.log.Warn("feed slot refused: its UTC offset is not the region's at that instant, so its hour is not trustworthy",
		"slot_id", m.SlotID, "got_offset", m.Got, "want_offset", m.Want, "time_zone", s.cfg.Region.TimeZone)
}

// offsetLog keeps the count and the latest mismatch of one source.
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
