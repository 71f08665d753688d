package ratelimit

import "sync"

// Concurrency caps the requests in flight per key. It is safe for
// concurrent use; a key's entry lives only while it has requests in
// flight, so memory follows the requests actually waiting.
type Concurrency struct {
	max int

	mu       sync.Mutex
	inFlight map[string]int
}

// NewConcurrency allows max requests in flight per key.
func NewConcurrency(max int) *Concurrency {
	return &Concurrency{max: max, inFlight: map[string]int{}}
}

// Begin claims a place for key. ok is false when key has max in flight
// already; otherwise end must be called, once, when the request is done.
func (c *Concurrency) Begin(key string) (end func(), ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight[key] >= c.max {
		return nil, false
	}
	c.inFlight[key]++
	var once sync.Once
	return func() { once.Do(func() { c.end(key) }) }, true
}

func (c *Concurrency) end(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight[key]--; c.inFlight[key] <= 0 {
		delete(c.inFlight, key)
	}
}
