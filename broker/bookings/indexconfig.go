package bookings

import (
	"errors"
	"time"
)

// IndexConfig sizes and paces the slot index that answers the search
// across regions.
type IndexConfig struct {
	// Depth is how many free slots per region and specialty the index
	// keeps (the earliest of the default window); default 50.
	Depth int
	// Entries bounds the region × specialty entries kept (least recently
	// asked goes first); default 8,192 (85 regions × ~100 specialties).
	Entries int
	// Fresh is the age under which an entry answers without a refresh;
	// default 60s. Every is how often the background refreshes the entries
	// citizens asked for within MaxAge; default 30s. MaxAge is the age
	// beyond which an entry is not shown (its region reads unavailable);
	// default 15m.
	Fresh, Every, MaxAge time.Duration
	// Wait is how long a search across regions waits for the refreshes it
	// started; default 800ms, so the answer stays under a second with a
	// region down or slow. RefreshTimeout bounds one refresh, which goes on
	// after the answer; default 10s.
	Wait, RefreshTimeout time.Duration
	// FanOut is how many refreshes run at once; default 32.
	FanOut int
}

func (c *IndexConfig) setDefaults() {
	setIfZero(&c.Depth, 50)
	setIfZero(&c.Entries, 8192)
	setIfZero(&c.FanOut, 32)
	setIfZero(&c.Fresh, time.Minute)
	setIfZero(&c.Every, 30*time.Second)
	setIfZero(&c.MaxAge, 15*time.Minute)
	setIfZero(&c.Wait, 800*time.Millisecond)
	setIfZero(&c.RefreshTimeout, 10*time.Second)
}

func setIfZero[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// Validate reports an index the service cannot run.
func (c IndexConfig) Validate() error {
	if c.Depth < 1 || c.Entries < 1 || c.FanOut < 1 || c.Fresh <= 0 || c.Every <= 0 || c.Wait <= 0 || c.RefreshTimeout <= 0 {
		return errors.New("bookings: index depth, entries, fan-out and durations must be positive")
	}
	if c.MaxAge < c.Fresh {
		return errors.New("bookings: index MaxAge must be at least Fresh")
	}
	return nil
}
