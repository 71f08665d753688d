package breaker

import (
	"context"

	"github.com/sony/gobreaker/v2"

	"github.com/fedhealth/federation/contracts"
)

// onStateChange runs under the breaker's mutex (gobreaker calls it from
// setState): it must be quick and must not call State, which would take the
// same mutex. So it logs, counts, and hands the hook to another goroutine.
func (m *MIS) onStateChange(_ string, from, to gobreaker.State) {
	m.logger.Warn("region breaker changed state",
		"region", m.cfg.Region, "from", from.String(), "to", to.String())
	m.tel.transition(context.Background(), from, to)
	if m.cfg.OnStateChange != nil {
		m.notify(statusOf(to))
	}
}

// notify delivers to the hook outside the mutex. Deliveries may race; the
// sequence number lets the latest transition win, so the hook's last word
// is always the breaker's current state.
func (m *MIS) notify(to contracts.RegionStatus) {
	seq := m.hookSeq.Add(1)
	go func() {
		m.hookMu.Lock()
		defer m.hookMu.Unlock()
		if seq <= m.hookDelivered {
			return // a later transition was already delivered
		}
		m.hookDelivered = seq
		m.cfg.OnStateChange(m.cfg.Region, to)
	}()
}
