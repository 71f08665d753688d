package drill

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// maxInFlight bounds the bookings one region has open at once, so that a
// region whose bookings hang does not grow the drill without bound.
const maxInFlight = 16

// load offers bookings to every region at a steady rate, each booking
// through its own goroutine: it is made (retried through crashes) and then
// followed to its final status. A slow region holds up only its own
// bookings.
type load struct {
	c     *client
	run   string
	limit int // most bookings in all; 0: no limit
	// openLoop offers bookings at the rate whatever is still open, as a
	// real population of citizens does (the stall drill); otherwise each
	// region has at most maxInFlight bookings open.
	openLoop bool
	follow   context.Context
	stopAll  context.CancelFunc

	mu       sync.Mutex
	slots    map[string][]string // region → free slots not yet offered
	inFlight map[string]int
	all      []*accepted
	made     int
	refused  int
	offers   []offer
	errs     []error
	// unanswered counts errs by region: bookings whose request was never
	// answered, lost to the region's kind's count too.
	unanswered map[string]int
	wg         sync.WaitGroup
}

func newLoad(ctx context.Context, c *client, run string, limit int) *load {
	follow, cancel := context.WithCancel(ctx)
	return &load{c: c, run: run, limit: limit, follow: follow, stopAll: cancel,
		slots: map[string][]string{}, inFlight: map[string]int{}, unanswered: map[string]int{}}
}

// citizen names the n-th booking's citizen: each booking its own, as in a
// real population, where one citizen rarely has two bookings in flight. A
// small pool shared by every region would test the per-citizen limits
// instead (long-polls, read budget, the guards against overlapping and
// too many active bookings): a slow region's bookings would then hold the
// long-poll places of the same citizens' bookings elsewhere.
func (l *load) citizen(n int) string { return fmt.Sprintf("drill-%s-c%d", l.run, n) }

// gather lists each region's free slots, shuffled by seed so that drills
// with other seeds book other slots.
func (l *load) gather(ctx context.Context, regions []string, seed int64) error {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	// A broker that keeps refusing (a token it will not take) fails the
	// drill with the reason instead of hanging it.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, r := range regions {
		// A feed region has no slots to offer until the broker's first
		// poll of its publisher: ask again until it has. The failure
		// names the last real answer, not the deadline that cut the
		// last question short.
		var ids []string
		last := "no answer"
		for ctx.Err() == nil {
			got, err := l.c.freeSlots(ctx, l.citizen(0), r)
			switch {
			case err != nil && ctx.Err() == nil:
				last = err.Error()
			case err == nil && len(got) == 0:
				last = "an empty list of slots starting two minutes from now or later"
			case err == nil:
				ids = got
			}
			if len(ids) > 0 {
				break
			}
			sleep(ctx, 200*time.Millisecond)
		}
		if len(ids) == 0 {
			return fmt.Errorf("drill: no free slots of region %s within a minute; the last answer: %s", r, last)
		}
		rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		l.slots[r] = ids
	}
	return nil
}

// phase offers rate bookings per second to each region for d, then
// returns; the bookings it started go on in the background.
func (l *load) phase(ctx context.Context, name string, regions []string, rate float64, d time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					l.offer(name, r)
				}
			}
		}()
	}
	wg.Wait()
}

// offer starts one booking in region unless it has too many open or the
// drill has made enough.
func (l *load) offer(phase, region string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if (!l.openLoop && l.inFlight[region] >= maxInFlight) || len(l.slots[region]) == 0 || (l.limit > 0 && l.made >= l.limit) {
		return
	}
	slot := l.slots[region][0]
	l.slots[region] = l.slots[region][1:]
	n := l.made
	l.made++
	l.inFlight[region]++
	l.wg.Add(1)
	go l.one(phase, region, slot, n)
}

func (l *load) one(phase, region, slot string, n int) {
	defer l.wg.Done()
	o := offer{At: time.Now(), Phase: phase}
	b, refusal, err := l.c.book(l.follow, l.citizen(n), fmt.Sprintf("drill-%s-%d", l.run, n), slot)
	if b != nil {
		b.Region, b.Phase, b.Slot = region, phase, slot
		l.mu.Lock()
		l.all = append(l.all, b)
		l.mu.Unlock()
		l.c.follow(l.follow, b)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight[region]--
	o.Ended = time.Now()
	switch {
	case err != nil:
		l.errs = append(l.errs, fmt.Errorf("region %s: %w", region, err))
		l.unanswered[region]++
		o.Outcome = "error"
	case b == nil:
		l.refused++
		o.Outcome = "refused:" + refusal
	default:
		o.Outcome = b.Status
	}
	l.offers = append(l.offers, o)
}

// offer is one booking offered by the load, as its citizen lived it.
type offer struct {
	At      time.Time // when the citizen asked
	Ended   time.Time // when the citizen knew the outcome
	Phase   string
	Outcome string // the final status, "refused:<problem code>" or "error"
}

// Confirmed reports whether the citizen got the appointment.
func (o offer) Confirmed() bool { return o.Outcome == "confirmed" }

// wait lets the bookings in flight finish for at most limit, then stops
// following the rest (they will count as lost unless they end later).
func (l *load) wait(limit time.Duration) {
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		l.stopAll()
		<-done
	}
}

// bookings returns every accepted booking so far.
func (l *load) bookings() []*accepted {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*accepted(nil), l.all...)
}
