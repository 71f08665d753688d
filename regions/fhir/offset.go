package fhir

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fedhealth/federation/regions/slotoffset"

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

// SlotOffsetMismatch and SlotOffsetReport are slotoffset's, which every
// adapter shares.
type (
	SlotOffsetMismatch = slotoffset.Mismatch
	SlotOffsetReport   = slotoffset.Report
)

// SlotOffsetMismatches returns the region's count of slots refused for
// their offset and the latest example, for operators. It is safe for
// concurrent use.
func (c *Client) SlotOffsetMismatches() SlotOffsetReport { return c.tel.offsets.Report() }

// refuseSlot counts, logs and remembers a slot refused for its offset.
func (c *Client) refuseSlot(m SlotOffsetMismatch) {
	m.SeenAt = time.Now()
	c.tel.offsets.Add(m)
	c.tel.offsetMismatch.Add(context.Background(), 1, metric.WithAttributes(attribute.String("region", c.cfg.Region.Code)))
	c.logger.Warn("slot refused: its UTC offset is not the region's at that instant, so its hour is not trustworthy",
		"slot_id", m.SlotID, "got_offset", m.Got, "want_offset", m.Want, "time_zone", c.cfg.Region.TimeZone)
}

// offsetError wraps errOffsetMismatch with the example, for slotsOf.
type offsetError struct{ m SlotOffsetMismatch }

func (e *offsetError) Error() string {
	return fmt.Sprintf("slot %s: offset %s, region's %s: %v", e.m.SlotID, e.m.Got, e.m.Want, errOffsetMismatch)
}

func (e *offsetError) Unwrap() error { return errOffsetMismatch }
