package drill

import (
	"context"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/reconcile"
)

// settle waits for the bookings in flight to end (at most the booking
// deadline and half a minute more), then polls the invariants until they
// hold or the settle time passes, and returns the last comparison.
// Bookings whose request was never answered count as lost (they have no
// id to name, so they are counted without a difference of their own).
func (e *env) settle(ctx context.Context) reconcile.Report {
	e.load.wait(e.t.deadline + 30*time.Second)
	until := time.Now().Add(e.t.settle)
	for {
		r := e.check(ctx)
		r.Counts.Lost += len(e.load.errs)
		if r.OK() || time.Now().After(until) || ctx.Err() != nil {
			return r
		}
		sleep(ctx, time.Second)
	}
}

// check reads the status of every booking not yet final and every
// simulator's appointments, and compares them.
func (e *env) check(ctx context.Context) reconcile.Report {
	all := e.load.bookings()
	states := make([]reconcile.Booking, len(all))
	for i, b := range all {
		if !finalStatus(b.Status) {
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if s, err := e.client.status(sctx, b, 0); err == nil {
				b.Status = s
			}
			cancel()
		}
		states[i] = reconcile.Booking{ID: b.ID, Region: b.Region, Status: sagas.Status(b.Status)}
	}
	appts := map[string][]contracts.Appointment{}
	for _, s := range e.sims {
		appts[s.Region.Code] = toContract(s.MIS.Appointments())
	}
	return reconcile.Compare(states, appts, time.Now(), orphanMargin)
}

// toContract reads the simulator's admin view as the contract's
// appointments. The admin view says "expired" for a hold that lapsed; the
// contract has no such status and reads it as cancelled, as the
// simulator's own contract answers do.
func toContract(list []missim.AdminAppointment) []contracts.Appointment {
	out := make([]contracts.Appointment, len(list))
	for i, a := range list {
		status := contracts.AppointmentStatus(a.Status)
		if a.Status == "expired" {
			status = contracts.AppointmentCancelled
		}
		out[i] = contracts.Appointment{ID: a.ID, SlotID: a.SlotID, Status: status, HoldKey: a.HoldKey, HoldExpires: a.HoldExpires}
	}
	return out
}
