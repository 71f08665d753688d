package conformance

import (
	"net/http"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

// DefaultMaxHoldWait is how long the lapse requirements wait for a hold
// to lapse when Target.MaxHoldWait is zero: within the engine's default
// time per requirement (2 minutes). An MIS whose holds last longer is
// checked against a test setup with short holds, or with a longer wait.
const DefaultMaxHoldWait = 90 * time.Second

// lapseGrace is how long after its hold-expires instant a hold may still
// read as live: the MIS's clock and the kit's differ a little.
const lapseGrace = time.Second

var expiryRequirements = []requirement{
	{id: "FHIR-HOLD-09", title: "A hold neither booked nor cancelled lapses at its hold-expires instant: the slot is free again, the appointment reads cancelled", run: holdLapses},
	{id: "FHIR-BOOK-06", title: "Book of a hold that lapsed is refused with hold-expired", run: bookLapsed},
}

func holdLapses(t kit.T, c *client) {
	s, a, r := c.heldWithAnswer(t)
	c.waitLapse(t, a, r)
	if got := c.slotByID(t, s.ID); got.Status != "free" {
		t.Errorf("slot %s reads %q after its hold lapsed, want free", s.ID, got.Status)
	}
	if got := decode[misv2.Appointment](t, c.get(t, "/Appointment/"+a.ID), http.StatusOK, "read of a lapsed hold"); got.Status != misv2.StatusCancelled {
		t.Errorf("a lapsed hold reads %q, want %q", got.Status, misv2.StatusCancelled)
	}
}

func bookLapsed(t kit.T, c *client) {
	_, a, r := c.heldWithAnswer(t)
	c.waitLapse(t, a, r)
	refusal(t, c.book(t, a.ID, c.key()), http.StatusConflict, misv2.RefusalHoldExpired, "book of a lapsed hold")
}

// heldWithAnswer holds a free slot (released when the test ends) and
// returns the answer too, whose Date says the MIS's clock.
func (c *client) heldWithAnswer(t kit.T) (misv2.Slot, misv2.Appointment, response) {
	t.Helper()
	s := c.freeSlot(t)
	r := c.hold(t, s.ID, c.key())
	a := decode[misv2.Appointment](t, r, http.StatusOK, "hold")
	c.releaseLater(t, a.ID)
	return s, a, r
}

// waitLapse waits until a's hold-expires instant has passed, or skips the
// requirement when that is further off than the kit may wait. The hold's
// life is read against the MIS's own clock (the answer's Date header,
// whole seconds, so up to a second long), not the kit's: two clocks
// minutes apart must not fail an MIS whose holds lapse on time.
func (c *client) waitLapse(t kit.T, a misv2.Appointment, r response) {
	t.Helper()
	exp, err := time.Parse(time.RFC3339, holdExpires(a))
	if err != nil {
		t.Fatalf("hold %s: extension %s is %q, want an RFC 3339 instant", a.ID, misv2.HoldExpiresExtension, holdExpires(a))
	}
	life := time.Until(exp)
	if misNow, err := http.ParseTime(r.header.Get("Date")); err == nil {
		life = exp.Sub(misNow)
	}
	wait := life + lapseGrace
	if wait > c.maxHoldWait {
		t.Skipf("the hold lasts until %s, longer than the kit waits (%s): run against a test setup with short holds, or give a longer --hold-wait", exp.Format(time.RFC3339), c.maxHoldWait)
	}
	timer := time.NewTimer(max(wait, 0))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.Context().Done():
		t.Fatalf("the run ended before the hold lapsed")
	}
}
