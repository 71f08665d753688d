package feed

import (
	"context"

	"github.com/fedhealth/federation/regions/slotoffset"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// SlotOffsetMismatch and SlotOffsetReport are slotoffset's, which every
// adapter shares; a feed's slot of another offset is refused as an MIS's
// is (regions/slotoffset says why).
type (
	SlotOffsetMismatch = slotoffset.Mismatch
	SlotOffsetReport   = slotoffset.Report
)

// refuseSlot counts, logs and remembers a slot refused for its offset.
func (s *Source) refuseSlot(m SlotOffsetMismatch) {
	m.SeenAt = s.cfg.Now()
	s.offsets.Add(m)
	s.tel.offsetMismatch.Add(context.Background(), 1, metric.WithAttributes(attribute.String("region", s.cfg.Region.Code)))
	s.log.Warn("feed slot refused: its UTC offset is not the region's at that instant, so its hour is not trustworthy",
		"slot_id", m.SlotID, "got_offset", m.Got, "want_offset", m.Want, "time_zone", s.cfg.Region.TimeZone)
}
