package drill

import (
	"context"
	"fmt"

	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/reconcile"
)

// feedCheck counts the invariants of the feed regions' bookings, which
// no simulator can be compared with (a publisher holds no appointments:
// the operator queue is the only record), against what the operator bot
// did:
//
//   - lost: an accepted booking not final;
//   - double: two live bookings (pending, confirmed, cancelling) of one
//     feed slot, or a confirmed booking that the broker lets the bot
//     confirm again with another appointment id (asked once per booking);
//   - orphan: none, by construction: nothing is ever held at a publisher
//     (no hold, no saga command), so nothing can be left held when a
//     booking ends;
//   - mismatch: a final status that disagrees with the bot's decision
//     (confirmed but declined, rejected but confirmed, answered by no one
//     yet confirmed or rejected).
//
// It returns the counts and a sentence for each of the first differences.
func (e *env) feedCheck(ctx context.Context, bookings []*accepted) (reconcile.Counts, []string) {
	var c reconcile.Counts
	var notes []string
	note := func(format string, args ...any) {
		if len(notes) < 3 {
			notes = append(notes, fmt.Sprintf(format, args...))
		}
	}
	decided := e.bot.snapshot()
	live := map[string][]string{} // slot → its live bookings
	for _, b := range bookings {
		s := sagas.Status(b.Status)
		if !s.Final() {
			c.Lost++
			note("feed booking %s is still %s", b.ID, s)
		}
		if s == sagas.StatusPending || s == sagas.StatusConfirmed || s == sagas.StatusCancelling {
			live[b.Slot] = append(live[b.Slot], b.ID)
		}
		d, ok := decided[b.ID]
		switch {
		case s == sagas.StatusConfirmed && (!ok || d.Decline):
			c.Mismatch++
			note("feed booking %s is confirmed, but the operator bot did not confirm it", b.ID)
		case s == sagas.StatusRejected && (!ok || !d.Decline):
			c.Mismatch++
			note("feed booking %s is rejected, but the operator bot did not decline it", b.ID)
		case ok && d.Answered && s.Final() && s != sagas.StatusConfirmed && s != sagas.StatusRejected:
			c.Mismatch++
			note("feed booking %s ended %s after the broker took the bot's answer", b.ID, s)
		}
		if s == sagas.StatusConfirmed && ok && !d.Decline && !e.probed[b.ID] {
			twice, err := e.bot.reconfirmElsewhere(ctx, b.ID, &d)
			if err != nil {
				note("%v", err)
			} else {
				e.probed[b.ID] = true
				if twice {
					e.doubleConfirmed++
					note("feed booking %s was confirmed again with another appointment id", b.ID)
				}
			}
		}
	}
	if err := e.bot.lastError(); c.Lost > 0 && err != nil {
		note("the operator bot's last failed queue read: %v", err)
	}
	c.Double += e.doubleConfirmed
	for slot, ids := range live {
		if len(ids) > 1 {
			c.Double += len(ids) - 1
			note("feed slot %s has %d live bookings %v", slot, len(ids), ids)
		}
	}
	return c, notes
}
