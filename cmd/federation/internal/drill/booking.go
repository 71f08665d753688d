package drill

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/fedhealth/federation/sagas"
)

// accepted is one booking the broker accepted (202), followed to its end.
type accepted struct {
	ID, Region, Citizen string
	Slot                string // the slot booked, as the API names it
	Phase               string // "baseline" or "fault"
	Start               time.Time
	Status              string
	Final               time.Time // when a final status was first seen
}

// finalStatus reports whether the broker will not change a booking in
// status s (as the federal API names it) by itself any more.
func finalStatus(s string) bool { return sagas.Status(s).Final() }

// book asks for slot as citizen with one Idempotency-Key, repeating the
// same request through crashes until the broker answers. It returns the
// booking, or nil and the problem code when the broker refused it (slot
// taken, region down or busy).
func (c *client) book(ctx context.Context, citizen, key, slotID string) (*accepted, string, error) {
	start := time.Now()
	hdr := http.Header{"Idempotency-Key": {key}}
	body := fmt.Appendf(nil, `{"slot_id":%q}`, slotID)
	a, err := retrying(ctx, func() (answer, error) {
		return c.do(ctx, citizen, http.MethodPost, "/bookings", hdr, body)
	}, transient)
	if err != nil {
		return nil, "", fmt.Errorf("book %s: %w", slotID, err)
	}
	if a.status != http.StatusAccepted {
		return nil, a.code, nil
	}
	var out struct{ ID, Status string }
	if err := json.Unmarshal(a.body, &out); err != nil || out.ID == "" {
		return nil, "", fmt.Errorf("book %s: no booking id in the answer", slotID)
	}
	return &accepted{ID: out.ID, Citizen: citizen, Start: start, Status: out.Status}, "", nil
}

// status reads the booking's status, waiting up to wait for a final one.
func (c *client) status(ctx context.Context, b *accepted, wait time.Duration) (string, error) {
	path := "/bookings/" + url.PathEscape(b.ID)
	if wait > 0 {
		path += "?wait=" + wait.String()
	}
	a, err := retrying(ctx, func() (answer, error) {
		return c.do(ctx, b.Citizen, http.MethodGet, path, nil, nil)
	}, transient)
	if err != nil {
		return "", err
	}
	if a.status != http.StatusOK {
		return "", fmt.Errorf("booking %s: http %d %s", b.ID, a.status, a.code)
	}
	var out struct{ Status string }
	if err := json.Unmarshal(a.body, &out); err != nil {
		return "", fmt.Errorf("booking %s: %w", b.ID, err)
	}
	return out.Status, nil
}

// follow long-polls b until it is final or ctx ends.
func (c *client) follow(ctx context.Context, b *accepted) {
	for !finalStatus(b.Status) && ctx.Err() == nil {
		s, err := c.status(ctx, b, 10*time.Second)
		if err != nil {
			sleep(ctx, 200*time.Millisecond)
			continue
		}
		b.Status = s
	}
	if finalStatus(b.Status) {
		b.Final = time.Now()
	}
}

// freeSlots lists up to limit free slots of region, starting at least two
// minutes from now (the MIS refuses a slot that has begun).
func (c *client) freeSlots(ctx context.Context, citizen, region string) ([]string, error) {
	q := url.Values{"region": {region}, "limit": {"1000"}}
	a, err := retrying(ctx, func() (answer, error) {
		return c.do(ctx, citizen, http.MethodGet, "/slots?"+q.Encode(), nil, nil)
	}, transient)
	if err != nil {
		return nil, fmt.Errorf("slots of %s: %w", region, err)
	}
	if a.status != http.StatusOK {
		return nil, fmt.Errorf("slots of %s: http %d %s", region, a.status, a.code)
	}
	var out struct {
		Slots []struct {
			ID    string    `json:"id"`
			Start time.Time `json:"start"`
		} `json:"slots"`
	}
	if err := json.Unmarshal(a.body, &out); err != nil {
		return nil, fmt.Errorf("slots of %s: %w", region, err)
	}
	soonest := time.Now().Add(2 * time.Minute)
	var ids []string
	for _, s := range out.Slots {
		if s.Start.After(soonest) {
			ids = append(ids, s.ID)
		}
	}
	return ids, nil
}

// sleep pauses for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
