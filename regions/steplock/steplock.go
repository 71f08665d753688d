// Package steplock owns the in-process serialisation of saga steps that
// the adapters of MIS dialects without idempotency keys (regions/soap,
// regions/jsonrpc) need: a repeat of one step waits for the first call
// rather than race it to the MIS, whose only protection is the adapter's
// durable step ledger read before each call.
package steplock

import (
	"hash/maphash"
	"sync"
)

// Locks serialises the holders of one key within this process. Striped
// (a fixed array of mutexes) rather than one mutex per key so that it
// never grows with the keys it has seen; unrelated keys sharing a stripe
// only wait a little. The zero value is ready to use; a Locks must not be
// copied after first use.
type Locks struct {
	seed    maphash.Seed
	once    sync.Once
	stripes [64]sync.Mutex
}

// Lock blocks until no other holder of key (or of a key on the same
// stripe) holds the lock, and returns the function that releases it:
// defer l.Lock(key)().
func (l *Locks) Lock(key string) (unlock func()) {
	l.once.Do(func() { l.seed = maphash.MakeSeed() })
	m := &l.stripes[maphash.String(l.seed, key)%uint64(len(l.stripes))]
	m.Lock()
	return m.Unlock
}
