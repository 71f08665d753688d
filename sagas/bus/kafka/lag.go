package kafka

import (
	"sync"

	"github.com/segmentio/kafka-go"
)

// Lag is how many messages of the subscribed partitions lie beyond what
// this subscriber's readers have fetched: the backlog this instance still
// has to work through, as kafka-go measured it at each reader's last fetch
// (ReaderStats.Lag: the partition's high watermark minus the next offset).
// A group member that owns several partitions reports the partition it
// fetched from last, so with fewer members than partitions the sum is a
// lower bound. Zero before the first fetch and after Close.
func (s *Subscriber) Lag() int64 {
	return s.readers.lag()
}

// readerSet is the subscriber's open readers, for Lag.
type readerSet struct {
	mu sync.Mutex
	rs map[*kafka.Reader]struct{}
}

func (s *readerSet) add(rs []*kafka.Reader) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rs == nil {
		s.rs = map[*kafka.Reader]struct{}{}
	}
	for _, r := range rs {
		s.rs[r] = struct{}{}
	}
}

func (s *readerSet) remove(r *kafka.Reader) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rs, r)
}

func (s *readerSet) lag() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for r := range s.rs {
		// Stats also resets kafka-go's counters; this package reads only
		// the lag gauge, which it does not reset.
		n += max(r.Stats().Lag, 0)
	}
	return n
}
