package drill

import (
	"context"
	"time"

	"github.com/fedhealth/federation/regions/missim"
)

// settle waits for the bookings in flight to end (at most the booking
// deadline and half a minute more), then polls the invariants until they
// hold or the settle time passes, and returns the last counts. Bookings
// whose request was never answered count as lost.
func (e *env) settle(ctx context.Context) Counts {
	e.load.wait(e.t.deadline + 30*time.Second)
	until := time.Now().Add(e.t.settle)
	for {
		c := e.check(ctx)
		c.Lost += len(e.load.errs)
		if c.OK() || time.Now().After(until) || ctx.Err() != nil {
			return c
		}
		sleep(ctx, time.Second)
	}
}

// check reads the status of every booking not yet final and every
// simulator's appointments, and computes the invariants.
func (e *env) check(ctx context.Context) Counts {
	all := e.load.bookings()
	states := make([]BookingState, len(all))
	for i, b := range all {
		if !finalStatus(b.Status) {
			sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if s, err := e.client.status(sctx, b, 0); err == nil {
				b.Status = s
			}
			cancel()
		}
		states[i] = BookingState{ID: b.ID, Region: b.Region, Status: b.Status}
	}
	appts := map[string][]missim.AdminAppointment{}
	for _, s := range e.sims {
		appts[s.Region.Code] = s.MIS.Appointments()
	}
	return Check(states, appts, time.Now(), orphanMargin)
}
