package store

import "sync"

// watchers wake readers waiting for a booking to change (the API's
// long-poll), so they need not poll the database. Only changes made by this
// process are seen; waiters also re-read on a timer for other instances'.
type watchers struct {
	mu   sync.Mutex
	byID map[string][]chan struct{}
}

// Watch returns a channel closed at the next change of booking id committed
// by this process, and a function to stop watching.
func (s *DB) Watch(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	w := &s.watch
	w.mu.Lock()
	if w.byID == nil {
		w.byID = map[string][]chan struct{}{}
	}
	w.byID[id] = append(w.byID[id], ch)
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		list := w.byID[id]
		for i, c := range list {
			if c == ch {
				w.byID[id] = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(w.byID[id]) == 0 {
			delete(w.byID, id)
		}
	}
}

func (w *watchers) notify(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, ch := range w.byID[id] {
		close(ch)
	}
	delete(w.byID, id)
}
