package drill

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/reconcile"
)

// settle waits for the bookings in flight to end (at most the booking
// deadline and half a minute more), then polls the invariants until they
// hold or the settle time passes, and returns the last comparison, and
// why the appointments of a keyless kind could not be tied to bookings
// if that was so. Bookings whose request was never answered count as lost
// (they have no id to name, so they are counted without a difference of
// their own).
func (e *env) settle(ctx context.Context) (reconcile.Report, error) {
	e.load.wait(e.t.deadline + 30*time.Second)
	until := time.Now().Add(e.t.settle)
	for {
		r, err := e.check(ctx)
		r.Counts.Lost += len(e.load.errs)
		if r.OK() || time.Now().After(until) || ctx.Err() != nil {
			return r, err
		}
		sleep(ctx, time.Second)
	}
}

// check reads the status of every booking not yet final and every
// simulator's appointments, and compares them. The appointments of the
// kinds whose MIS takes no keys get their bookings' hold keys from the
// broker's step ledger first (stepLedger.holdKeys).
func (e *env) check(ctx context.Context) (reconcile.Report, error) {
	all := e.load.bookings()
	states := make([]reconcile.Booking, 0, len(all))
	var feeds []*accepted        // compared with the operator bot, not a simulator (feedCheck)
	ids := map[string][]string{} // region → its bookings
	for _, b := range all {
		if !finalStatus(b.Status) {
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if s, err := e.client.status(sctx, b, 0); err == nil {
				b.Status = s
			}
			cancel()
		}
		if e.kind(b.Region) == contracts.RegionFeed {
			feeds = append(feeds, b)
			continue
		}
		states = append(states, reconcile.Booking{ID: b.ID, Region: b.Region, Status: sagas.Status(b.Status)})
		ids[b.Region] = append(ids[b.Region], b.ID)
	}
	appts := map[string][]contracts.Appointment{}
	var errs []error
	for _, s := range e.sims {
		if !s.KeepsAppointments() {
			continue // a publisher: its bookings are checked against the operator bot
		}
		code := s.Region.Code
		appts[code] = toContract(s.Appointments())
		if keyless(s.Kind()) {
			errs = append(errs, e.ledger.holdKeys(ctx, code, ids[code], appts[code]))
		}
	}
	states = append(states, e.imported...)
	rep := reconcile.Compare(states, appts, time.Now(), orphanMargin)
	e.feedCounts, e.feedNotes = e.feedCheck(ctx, feeds)
	rep.Counts.Lost += e.feedCounts.Lost
	rep.Counts.Double += e.feedCounts.Double
	rep.Counts.Orphan += e.feedCounts.Orphan
	rep.Counts.Mismatch += e.feedCounts.Mismatch
	return rep, errors.Join(errs...)
}

// toContract reads a simulator's admin view (the same for every kind) as
// the contract's appointments. The admin view says "expired" for a hold that lapsed; the
// contract has no such status and reads it as cancelled, as the
// simulator's own contract answers do.
func toContract(list []missim.AdminAppointment) []contracts.Appointment {
	out := make([]contracts.Appointment, len(list))
	for i, a := range list {
		status := contracts.AppointmentStatus(strings.ToLower(a.Status)) // soapsim spells its statuses in capitals
		if a.Status == "expired" {
			status = contracts.AppointmentCancelled
		}
		out[i] = contracts.Appointment{ID: a.ID, SlotID: a.SlotID, Status: status, HoldKey: a.HoldKey, HoldExpires: a.HoldExpires}
	}
	return out
}
