package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// sagaMode books through the federal API, as citizens on the portal do.
type sagaMode struct {
	cfg    Config
	client *http.Client
	run    string   // this run's id, in citizen ids and Idempotency-Keys
	tokens []string // one per citizen of the pool
}

func (m *sagaMode) api(path string) string { return m.cfg.Target + "/api/v1" + path }

func (m *sagaMode) auth(citizen int) http.Header {
	return http.Header{"Authorization": {"Bearer " + m.tokens[citizen%len(m.tokens)]}, "Content-Type": {"application/json"}}
}

// feedWarmUp bounds how long regions waits for a feed region's first read
// of its published slots: a broker that has just started answers a feed
// region's searches with 503 until then, and a load run that began in
// that window would count warm-up as failures.
const feedWarmUp = 30 * time.Second

// regions lists the codes the API serves and each one's kind, once every
// feed region among want (all, when want is empty) has read its feed, or
// feedWarmUp has passed (the run then goes on and reports what it meets).
func (m *sagaMode) regions(ctx context.Context, want []string) ([]string, map[string]string, error) {
	deadline := time.Now().Add(feedWarmUp)
	for {
		var out []struct{ Code, Kind, Availability string }
		if err := call(ctx, m.client, "GET /regions", http.MethodGet, m.api("/regions"), nil, nil, &out); err != nil {
			return nil, nil, err
		}
		codes, kinds, waiting := make([]string, len(out)), map[string]string{}, false
		for i, r := range out {
			codes[i], kinds[r.Code] = r.Code, r.Kind
			if r.Availability == "unknown" && (len(want) == 0 || slices.Contains(want, r.Code)) {
				waiting = true
			}
		}
		if !waiting || time.Now().After(deadline) {
			return codes, kinds, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// fetchSlots is the fetchFunc of one region through the API.
func (m *sagaMode) fetchSlots(region string) fetchFunc {
	return func(ctx context.Context, from, to time.Time) ([]slotRef, error) {
		q := url.Values{"region": {region}, "from": {ymd(from)}, "to": {ymd(to)}, "limit": {strconv.Itoa(pageLimit)}}
		var out struct {
			Slots []struct {
				ID    string    `json:"id"`
				Start time.Time `json:"start"`
				End   time.Time `json:"end"`
			} `json:"slots"`
		}
		if err := call(ctx, m.client, "GET /slots", http.MethodGet, m.api("/slots?"+q.Encode()), m.auth(0), nil, &out); err != nil {
			return nil, err
		}
		refs := make([]slotRef, len(out.Slots))
		for i, s := range out.Slots {
			refs[i] = slotRef{id: s.ID, start: s.Start, end: s.End}
		}
		return refs, nil
	}
}

// book makes one booking and long-polls it to its final status.
func (m *sagaMode) book(ctx context.Context, j job) (outcome string, err error) {
	hdr := m.auth(j.citizen)
	hdr.Set("Idempotency-Key", fmt.Sprintf("lg-%s-%d", m.run, j.index))
	body := fmt.Appendf(nil, `{"slot_id":%q}`, j.slot)
	var b struct{ ID, Status string }
	if err := call(ctx, m.client, "POST /bookings", http.MethodPost, m.api("/bookings"), hdr, body, &b); err != nil {
		return "", err
	}
	hdr.Del("Idempotency-Key")
	wait := "?wait=" + m.cfg.Wait.String()
	for !final(b.Status) {
		status := b.Status
		if err := call(ctx, m.client, "GET /bookings/{id}", http.MethodGet, m.api("/bookings/"+b.ID+wait), hdr, nil, &b); err != nil {
			return status, err
		}
	}
	return b.Status, nil
}
