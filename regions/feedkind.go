package regions

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/feed"
)

// errFeedBooks refuses every state-changing port call of a feed region: a
// feed has no booking interface, its bookings go through the region's
// operator queue and never to the sagas. ErrInvalid, so that a saga that
// somehow reached one ends it at once with a reason (a final, permanent
// answer, never redelivered) and the breaker counts it as an answer.
var errFeedBooks = fmt.Errorf("a feed region has no booking interface (its bookings go through the operator queue): %w", contracts.ErrInvalid)

// feedAdapter is a feed region's slot source behind the MIS port: searches
// and slot reads answer from the source's cache, and the source's poller
// runs from construction until Close.
type feedAdapter struct {
	src    *feed.Source
	region string
	stop   context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func newFeedAdapter(cfg Config, logger *slog.Logger, o options) (adapter, error) {
	fc := cfg.Feed
	fc.Region, fc.MeterProvider = cfg.region(), o.meters
	src, err := feed.New(fc, logger)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	a := &feedAdapter{src: src, region: cfg.Code, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		_ = src.Run(ctx) // returns nil when ctx ends; failed syncs are logged by the source
	}()
	return a, nil
}

func (a *feedAdapter) SearchSlots(ctx context.Context, q contracts.SlotQuery) ([]contracts.Slot, error) {
	return a.src.SearchSlots(ctx, q)
}

func (a *feedAdapter) ReadSlot(ctx context.Context, slotID string) (contracts.Slot, error) {
	return a.src.ReadSlot(ctx, slotID)
}

func (a *feedAdapter) refuse(op string) error {
	return fmt.Errorf("%s in region %s: %w", op, a.region, errFeedBooks)
}

func (a *feedAdapter) Hold(context.Context, contracts.HoldRequest) (contracts.Appointment, error) {
	return contracts.Appointment{}, a.refuse("hold")
}

func (a *feedAdapter) Book(context.Context, contracts.BookRequest) (contracts.Appointment, error) {
	return contracts.Appointment{}, a.refuse("book")
}

func (a *feedAdapter) Cancel(context.Context, string, string) (contracts.Appointment, error) {
	return contracts.Appointment{}, a.refuse("cancel")
}

func (a *feedAdapter) FindHold(context.Context, contracts.HoldRequest) (contracts.Appointment, error) {
	return contracts.Appointment{}, a.refuse("find_hold")
}

// Close stops the poller, waits for a sync in flight to end, and stops
// the source's gauges. It may be called more than once.
func (a *feedAdapter) Close() error {
	var err error
	a.once.Do(func() {
		a.stop()
		<-a.done
		err = a.src.Close()
	})
	return err
}

// feedSource returns code's feed source, or an error wrapping ErrNotFound
// for an unknown region and ErrInvalid for a region of another kind.
func (r *Registry) feedSource(code string) (*feed.Source, error) {
	reg, ok := r.byCode[code]
	if !ok {
		return nil, fmt.Errorf("region %q: %w", code, contracts.ErrNotFound)
	}
	fa, ok := reg.client.(*feedAdapter)
	if !ok {
		return nil, fmt.Errorf("region %s is of kind %s, not feed: %w", code, reg.info.Kind, contracts.ErrInvalid)
	}
	return fa.src, nil
}

// FeedSync tells what the broker knows of a feed region's slots: the time
// of the source's last successful sync (zero before the first) and whether
// its availability is known. ok is false for a region that is not of kind
// feed.
func (r *Registry) FeedSync(code string) (lastSync time.Time, known, ok bool) {
	src, err := r.feedSource(code)
	if err != nil {
		return time.Time{}, false, false
	}
	st := src.Status()
	return st.LastSync, st.Availability == feed.AvailabilityKnown, true
}

// FeedStatus returns a feed region's whole polling state, for operators;
// an error for a region that is not of kind feed.
func (r *Registry) FeedStatus(code string) (feed.Status, error) {
	src, err := r.feedSource(code)
	if err != nil {
		return feed.Status{}, err
	}
	return src.Status(), nil
}
