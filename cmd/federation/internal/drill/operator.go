package drill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/fedhealth/federation/broker/auth"
)

// Operator bot settings: how often it reads its queue, and how many of
// the bookings it answers it declines (one in declineEvery).
const (
	botPoll      = 200 * time.Millisecond
	declineEvery = 10
	// botDeclineCode is a reason code the API knows (openapi.yaml).
	botDeclineCode = "slot_unavailable"
)

// decision is what the bot did, or is doing, with one feed booking. Its
// Idempotency-Key and appointment id are fixed when it is first decided,
// so that a retry after a broker kill repeats the same request.
type decision struct {
	Region    string
	Decline   bool
	Key       string
	Appt      string // the appointment id a confirmation records
	Answered  bool   // the broker answered 200 (possibly as a replay)
	Refusal   string // the problem code when the broker refused it
	Attempted time.Time
}

// operatorBot plays the regional operators of the drill's feed regions: a
// goroutine in the drill process per region that reads the region's
// operator queue and confirms each pending booking (one in ten declined),
// retrying through broker kills. The decisions are what the feed
// invariants compare the bookings' final status with.
type operatorBot struct {
	c   *client
	dev *auth.DevIssuer
	run string

	mu        sync.Mutex
	decisions map[string]*decision // booking id → what the bot did
	seen      int
	tokens    map[string]string // region → operator token
	lastErr   error             // the last failed read of a queue, said when bookings are lost
	stop      context.CancelFunc
	wg        sync.WaitGroup
}

// startOperatorBot starts one operator per region in regions.
func startOperatorBot(ctx context.Context, c *client, dev *auth.DevIssuer, run string, regions []string) *operatorBot {
	ctx, cancel := context.WithCancel(ctx)
	b := &operatorBot{c: c, dev: dev, run: run, decisions: map[string]*decision{}, tokens: map[string]string{}, stop: cancel}
	for _, r := range regions {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			b.work(ctx, r)
		}()
	}
	return b
}

// close stops the operators and waits for them.
func (b *operatorBot) close() {
	b.stop()
	b.wg.Wait()
}

// work reads region's queue until ctx ends and answers each pending
// booking it has not answered yet, oldest first.
func (b *operatorBot) work(ctx context.Context, region string) {
	for ctx.Err() == nil {
		items, err := b.queue(ctx, region)
		if err != nil {
			b.mu.Lock()
			b.lastErr = err
			b.mu.Unlock()
			sleep(ctx, botPoll) // a broker killed or restarting: read again
			continue
		}
		for _, it := range items {
			if it.Kind != "booking" || it.Status != "pending" {
				continue // a citizen's cancellation: no drill citizen cancels
			}
			d := b.decide(region, it.ID)
			if d.Answered || d.Refusal != "" {
				continue
			}
			b.act(ctx, it.ID, d)
		}
		sleep(ctx, botPoll)
	}
}

// queueItem is the part of a queue item the bot reads.
type queueItem struct{ ID, Kind, Status string }

// queue reads the first page of region's queue (200 items, the most a
// page holds: the drill keeps fewer open).
func (b *operatorBot) queue(ctx context.Context, region string) ([]queueItem, error) {
	a, err := b.do(ctx, region, http.MethodGet, "/operator/queue?limit=200", nil, nil)
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK {
		return nil, fmt.Errorf("queue of %s: http %d %s", region, a.status, a.code)
	}
	var out struct{ Items []queueItem }
	if err := json.Unmarshal(a.body, &out); err != nil {
		return nil, fmt.Errorf("queue of %s: %w", region, err)
	}
	return out.Items, nil
}

// decide returns the bot's decision for booking id, making it (and its
// key) the first time the booking is seen.
func (b *operatorBot) decide(region, id string) *decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d, ok := b.decisions[id]; ok {
		return d
	}
	b.seen++
	d := &decision{Region: region, Decline: b.seen%declineEvery == 0, Key: fmt.Sprintf("drill-%s-op-%s", b.run, id),
		Appt: "drill-" + b.run + "-appt-" + id}
	b.decisions[id] = d
	return d
}

// act sends the decision with its one Idempotency-Key, repeating it
// through broker kills until the broker answers with something else than
// a crash.
func (b *operatorBot) act(ctx context.Context, id string, d *decision) {
	path, body := "/operator/bookings/"+url.PathEscape(id)+"/confirm", fmt.Appendf(nil, `{"mis_appointment_id":%q}`, d.Appt)
	if d.Decline {
		path, body = "/operator/bookings/"+url.PathEscape(id)+"/decline",
			fmt.Appendf(nil, `{"reason_code":%q,"note":"Declined by the drill's operator bot."}`, botDeclineCode)
	}
	hdr := http.Header{"Idempotency-Key": {d.Key}}
	a, err := retrying(ctx, func() (answer, error) { return b.do(ctx, d.Region, http.MethodPost, path, hdr, body) }, botTransient)
	b.mu.Lock()
	defer b.mu.Unlock()
	d.Attempted = time.Now()
	switch {
	case err != nil: // the drill is ending; the decision stays unanswered
	case a.status == http.StatusOK:
		d.Answered = true
	default:
		d.Refusal = fmt.Sprintf("http %d %s", a.status, a.code)
	}
}

// botTransient is transient, and also a 429: an operator's own budget of
// requests, which the bot waits out like a person would.
func botTransient(a answer) bool { return transient(a) || a.status == http.StatusTooManyRequests }

// reconfirmElsewhere asks the broker to confirm booking id again with
// another appointment id and a new key: the broker must refuse it (409),
// since a booking is confirmed once, with one appointment. It reports
// whether the broker took it (200: the booking was confirmed twice), and
// an error for any other answer than 200 or 409.
func (b *operatorBot) reconfirmElsewhere(ctx context.Context, id string, d *decision) (bool, error) {
	hdr := http.Header{"Idempotency-Key": {d.Key + "-again"}}
	body := fmt.Appendf(nil, `{"mis_appointment_id":%q}`, d.Appt+"-other")
	a, err := retrying(ctx, func() (answer, error) {
		return b.do(ctx, d.Region, http.MethodPost, "/operator/bookings/"+url.PathEscape(id)+"/confirm", hdr, body)
	}, botTransient)
	switch {
	case err != nil:
		return false, err
	case a.status == http.StatusOK:
		return true, nil
	case a.status == http.StatusConflict:
		return false, nil
	}
	return false, fmt.Errorf("confirm %s again: http %d %s", id, a.status, a.code)
}

// lastError is the last failed read of a queue, nil when there was none.
func (b *operatorBot) lastError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastErr
}

// snapshot returns a copy of every decision.
func (b *operatorBot) snapshot() map[string]decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]decision, len(b.decisions))
	for id, d := range b.decisions {
		out[id] = *d
	}
	return out
}

// do sends one request with region's operator token; a 401 drops it, so
// the next attempt signs a new one.
func (b *operatorBot) do(ctx context.Context, region, method, path string, hdr http.Header, body []byte) (answer, error) {
	tok, err := b.token(region)
	if err != nil {
		return answer{}, err
	}
	h := http.Header{"Authorization": {"Bearer " + tok}}
	for k, v := range hdr {
		h[k] = v
	}
	a, err := b.c.do(ctx, "", method, path, h, body)
	if err == nil && a.status == http.StatusUnauthorized {
		b.mu.Lock()
		delete(b.tokens, region)
		b.mu.Unlock()
	}
	return a, err
}

func (b *operatorBot) token(region string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if tok, ok := b.tokens[region]; ok {
		return tok, nil
	}
	tok, err := b.dev.IssueOperator("drillbot", region, 30*time.Minute) // within serve's 1 h cap on token lifetime
	if err != nil {
		return "", errors.Join(errors.New("drill: operator token"), err)
	}
	b.tokens[region] = tok
	return tok, nil
}
