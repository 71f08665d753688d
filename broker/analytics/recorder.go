package analytics

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// RecorderConfig configures a Recorder.
type RecorderConfig struct {
	Store *Store // required
	// Interval is how often the counts go to the store (default 10s).
	Interval time.Duration
	// Now is the clock that dates each call (UTC day); nil means time.Now.
	Now func() time.Time
	// Logger learns of flushes that failed; nil discards.
	Logger *slog.Logger
}

// Recorder counts the regional MIS calls the registry's call observer
// reports, in memory by UTC day × region × operation × outcome ×
// duration bucket (MISCallBounds), and adds the counts to
// analytics_mis_calls every Interval and on Close. Observe is cheap (a
// map increment under a mutex) since it runs on the caller's goroutine.
//
// What a crash costs: the counts of at most the last Interval (not yet
// added) are lost. These rows are not rebuilt from any topic, as the
// breaker transitions are not: Store.Rebuild keeps them. A flush that
// fails keeps its counts for the next one.
type Recorder struct {
	cfg     RecorderConfig
	mu      sync.Mutex
	pending map[misCallKey]int64
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	err     error
}

// NewRecorder checks cfg and starts the recorder's flushes.
func NewRecorder(cfg RecorderConfig) (*Recorder, error) {
	if cfg.Store == nil {
		return nil, errors.New("analytics: the recorder needs its Store")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Recorder{cfg: cfg, pending: map[misCallKey]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go r.run()
	return r, nil
}

// Observe counts one MIS call of region: its operation, how long it took
// and its outcome (MISCallOK…); a call that was never made (MISCallOpen,
// MISCallShed) is counted without a duration. Its signature fits the
// registry's call observer.
func (r *Recorder) Observe(region, op string, d time.Duration, outcome string) {
	if region == "" || op == "" || outcome == "" {
		return // nothing to file it under; the registry always names all three
	}
	k := misCallKey{day: Day(r.cfg.Now()), region: region, op: op, outcome: outcome, bucket: noDuration}
	if outcome != MISCallOpen && outcome != MISCallShed {
		k.bucket = bucketOf(MISCallBounds, float64(d)/float64(time.Millisecond))
	}
	r.mu.Lock()
	if r.pending != nil { // nil once closed
		r.pending[k]++
	}
	r.mu.Unlock()
}

// Flush adds the counts so far to the store now. On failure they are kept
// for the next flush.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	batch := r.pending
	r.pending = map[misCallKey]int64{}
	r.mu.Unlock()
	err := r.cfg.Store.addMISCalls(ctx, batch)
	if err != nil {
		r.mu.Lock() // the batch's counts go back under what came since
		for k, n := range r.pending {
			batch[k] += n
		}
		r.pending = batch
		r.mu.Unlock()
	}
	return err
}

func (r *Recorder) run() {
	defer close(r.done)
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Interval)
			if err := r.Flush(ctx); err != nil {
				r.cfg.Logger.Warn("MIS call counts not added for analytics; kept for the next try", "err", err)
			}
			cancel()
		}
	}
}

// Close stops the flushes and adds what is left, within 5 s. Calls
// observed after Close are not counted.
func (r *Recorder) Close() error {
	r.once.Do(func() {
		close(r.stop)
		<-r.done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.err = r.Flush(ctx)
		r.mu.Lock()
		r.pending = nil // Observe after Close: counted nowhere
		r.mu.Unlock()
	})
	return r.err
}
