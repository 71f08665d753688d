package missim

import (
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
)

// statusExpired marks a hold that lapsed before it was booked or released.
// It exists only inside the simulator and on /admin/appointments; contract
// reads show such an appointment as "cancelled".
const statusExpired = "expired"

// appointment is a hold or booking; guarded by Server.mu.
type appointment struct {
	id                          string
	slot                        *slot
	status                      string // pending, booked, cancelled, expired
	holdKey, bookKey, cancelKey string
	// patient is who it is for: shown only by the period search, which
	// reconciliation reads to find appointments made elsewhere.
	patient                   patient
	channel                   string // BookElsewhere's channel; empty for a hold
	created, updated, expires time.Time
	// lapses is when the hold lapses: expires, except under
	// QuirkNoHoldExpiry.
	lapses time.Time
	// version grows with each change made at the clinic: the callbacks'
	// sequence.
	version int64
}

// statusAt is the status as of now: a pending hold past its expiry is
// expired even before anything touched it.
func (a *appointment) statusAt(now time.Time) string {
	if a.status == misv2.StatusPending && !now.Before(a.lapses) {
		return statusExpired
	}
	return a.status
}

// settle records a lapse that statusAt already reports and frees the slot.
func (a *appointment) settle(now time.Time) {
	if a.statusAt(now) == statusExpired && a.status != statusExpired {
		a.status, a.updated = statusExpired, a.expires
		a.release()
	}
}

// release frees the slot if this appointment holds it.
func (a *appointment) release() {
	if a.slot.live == a {
		a.slot.live = nil
	}
}

// apptView is a copy of an appointment taken under the lock, rendered
// after it is released.
type apptView struct {
	id      string
	slot    *slot
	status  string
	holdKey string
	expires time.Time
	patient patient
	channel string
}

func (a *appointment) view(now time.Time) apptView {
	return apptView{id: a.id, slot: a.slot, status: a.statusAt(now), holdKey: a.holdKey, expires: a.expires, patient: a.patient, channel: a.channel}
}

// freeAt reports whether sl has no live appointment as of now.
func (sl *slot) freeAt(now time.Time) bool {
	return sl.live == nil || sl.live.statusAt(now) == statusExpired
}
