package fleet

import (
	"errors"

	"github.com/fedhealth/federation/regions/missim"
	"github.com/fedhealth/federation/regions/missim/feedsim"
)

// ErrNoCommitAtPublisher refuses a commit fault (commit-then-no-answer,
// commit-then-error) for a feed simulator: a slot publisher is only read,
// it never commits anything a fault could follow.
var ErrNoCommitAtPublisher = errors.New("fleet: a feed publisher commits nothing; commit faults do not apply")

// feedAdmin is the fleet's admin surface of a feed simulator. A publisher
// holds no appointments (a feed region's bookings live in the broker's
// operator queue), so Appointments is always empty; faults map onto the
// publisher's own: down, latency, and the error rates (a read fails either
// way) as its error rate.
type feedAdmin struct{ srv *feedsim.Server }

// Appointments is empty: see feedAdmin.
func (feedAdmin) Appointments() []missim.AdminAppointment { return nil }

// Faults reads the publisher's faults in missim's terms.
func (a feedAdmin) Faults() missim.Faults {
	f := a.srv.Faults()
	return missim.Faults{Down: f.Down, LatencyMS: f.LatencyMS, ErrorRate: f.ErrorRate}
}

// SetFaults sets the publisher's down, latency and error rate (the larger
// of ErrorRate and ReadErrorRate), keeping the faults only a publisher has
// (broken lines, foreign host, huge file) as they are.
func (a feedAdmin) SetFaults(f missim.Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.TimeoutAfterCommitRate > 0 || f.ErrorAfterCommitRate > 0 {
		return ErrNoCommitAtPublisher
	}
	cur := a.srv.Faults()
	cur.Down, cur.LatencyMS, cur.ErrorRate = f.Down, f.LatencyMS, max(f.ErrorRate, f.ReadErrorRate)
	return a.srv.SetFaults(cur)
}
