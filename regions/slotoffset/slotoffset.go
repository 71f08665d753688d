// Package slotoffset owns the one check every region adapter makes of the
// times its MIS or feed gives: a slot whose UTC offset is not its region's
// at that instant is refused, not repaired. The source may have relabelled
// a local wall time (the instant is then wrong by the difference) or
// shifted the instant (the wall time is then wrong), and the broker cannot
// tell which, so booking it could send the citizen at the wrong hour. The
// adapters count what they refuse in a Log, which operators read through
// the registry ("federation regions status").
package slotoffset

import (
	"sync"
	"time"
)

// Mismatch is one slot given with a UTC offset its region does not have at
// that instant. It names no person: the slot id and the two offsets, e.g.
// Got "+06:00", Want "+10:00".
type Mismatch struct {
	SlotID    string
	Got, Want string
	SeenAt    time.Time
}

// Report counts the slots refused for their offset since the adapter was
// built, with the latest of them (zero while Count is 0).
type Report struct {
	Count int64
	Last  Mismatch
}

// Check reports a mismatch when t's offset, as the source wrote it, is not
// loc's offset at that instant; nil when they agree.
func Check(slotID string, t time.Time, loc *time.Location) *Mismatch {
	_, got := t.Zone()
	_, want := t.In(loc).Zone()
	if got == want {
		return nil
	}
	return &Mismatch{SlotID: slotID, Got: t.Format("-07:00"), Want: t.In(loc).Format("-07:00")}
}

// Log keeps the count and the latest mismatch of one adapter. The zero
// value is ready; it is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	last Report
}

// Add counts m as the latest mismatch.
func (l *Log) Add(m Mismatch) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last.Count++
	l.last.Last = m
}

// Report returns the count and the latest mismatch.
func (l *Log) Report() Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}
