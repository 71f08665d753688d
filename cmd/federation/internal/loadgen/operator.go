package loadgen

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// operatorPoll is how often each operator reads its feed region's queue.
const operatorPoll = 50 * time.Millisecond

// operatorsPerRegion is how many operators answer one feed region's
// queue, each the bookings of its share (by booking id): the broker's
// per-subject write budget (limits.citizen.writes, 5/s by default) binds
// one operator as it binds one citizen, and a clinic under load has a
// desk of several.
const operatorsPerRegion = 8

// kindFeed is the kind of the regions whose bookings wait in an operator
// queue (GET /regions names it).
const kindFeed = "feed"

// operatorBot confirms the bookings of the run's feed regions as their
// regional operators: operatorsPerRegion goroutines per region, each with
// its own operator token, read the queue (the first 200 items, oldest
// first) and confirm every pending booking of their share, each with an
// Idempotency-Key of its own, so that a feed booking's latency is from
// request to confirmed by a prompt clinic.
type operatorBot struct {
	m      *sagaMode
	tokens map[string][]string // feed region → its operators' tokens
	done   sync.Map            // booking id → confirmed already
}

// startOperators fetches an operator token for each feed region of the
// run from tokenURL and starts its operator; the returned stop ends them.
// Without feed regions it starts nothing.
func (m *sagaMode) startOperators(ctx context.Context, tokenURL string) (stop func(), err error) {
	b := &operatorBot{m: m, tokens: map[string][]string{}}
	for _, r := range m.cfg.Regions {
		if m.cfg.kinds[r] != kindFeed {
			continue
		}
		for i := range operatorsPerRegion {
			var out struct{ Token string }
			body := fmt.Appendf(nil, `{"operator_id":"loadgen-%s-%d","region":%q}`, m.run, i, r)
			if err := call(ctx, m.client, "POST operator token", http.MethodPost, tokenURL,
				http.Header{"Content-Type": {"application/json"}}, body, &out); err != nil {
				return nil, fmt.Errorf("operator token of feed region %s (does the issuer sign operators'?): %w", r, err)
			}
			b.tokens[r] = append(b.tokens[r], out.Token)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for r, toks := range b.tokens {
		for i := range toks {
			wg.Go(func() { b.work(ctx, r, i) })
		}
	}
	return func() { cancel(); wg.Wait() }, nil
}

// work confirms operator i's share of region's pending bookings until ctx
// ends. A failed read or confirmation is tried again at the next poll:
// the booking's own timeout counts what that costs.
func (b *operatorBot) work(ctx context.Context, region string, i int) {
	hdr := http.Header{"Authorization": {"Bearer " + b.tokens[region][i]}, "Content-Type": {"application/json"}}
	for ctx.Err() == nil {
		var q struct {
			Items []struct{ ID, Kind, Status string }
		}
		if err := call(ctx, b.m.client, "GET /operator/queue", http.MethodGet, b.m.api("/operator/queue?limit=200"), hdr, nil, &q); err == nil {
			for _, it := range q.Items {
				if it.Kind != "booking" || it.Status != "pending" || share(it.ID) != i {
					continue
				}
				if _, ok := b.done.Load(it.ID); ok {
					continue
				}
				h := hdr.Clone()
				h.Set("Idempotency-Key", "lg-"+b.m.run+"-op-"+it.ID)
				body := fmt.Appendf(nil, `{"mis_appointment_id":%q}`, "lg-"+it.ID)
				path := "/operator/bookings/" + url.PathEscape(it.ID) + "/confirm"
				if err := call(ctx, b.m.client, "POST confirm", http.MethodPost, b.m.api(path), h, body, nil); err == nil {
					b.done.Store(it.ID, true)
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(operatorPoll):
		}
	}
}

// share is the operator (0..operatorsPerRegion-1) who answers booking id.
func share(id string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id)) // a hash.Hash never fails to write
	return int(h.Sum32() % operatorsPerRegion)
}
