package drill

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/fedhealth/federation/broker/auth"
)

// client talks to the federal API as the drill's citizens. Tokens come from
// the drill's own issuer (see issuer); a token the broker refuses is
// dropped and a new one signed.
type client struct {
	base string
	http *http.Client
	dev  *auth.DevIssuer

	mu     sync.Mutex
	tokens map[string]string // citizen id → token
}

func newClient(base string, dev *auth.DevIssuer) *client {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	return &client{base: base + "/api/v1", http: &http.Client{Transport: tr, Timeout: 20 * time.Second}, dev: dev, tokens: map[string]string{}}
}

// answer is one HTTP answer: its status, the problem code of an error, the body.
type answer struct {
	status int
	code   string
	body   []byte
}

// do sends one request as citizen (no token when citizen is empty). A 401
// drops the cached token, so the next attempt fetches a new one.
func (c *client) do(ctx context.Context, citizen, method, path string, hdr http.Header, body []byte) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if citizen != "" {
		tok, err := c.token(ctx, citizen)
		if err != nil {
			return answer{}, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return answer{}, err
	}
	a := answer{status: resp.StatusCode, body: data}
	if a.status >= 400 {
		var p struct{ Code string }
		_ = json.Unmarshal(data, &p)
		a.code = p.Code
	}
	if a.status == http.StatusUnauthorized && citizen != "" {
		c.mu.Lock()
		delete(c.tokens, citizen)
		c.mu.Unlock()
	}
	return a, nil
}

func (c *client) token(ctx context.Context, citizen string) (string, error) {
	c.mu.Lock()
	tok, ok := c.tokens[citizen]
	c.mu.Unlock()
	if ok {
		return tok, nil
	}
	tok, err := c.dev.Issue(citizen, 30*time.Minute) // within serve's 1 h cap on token lifetime
	if err != nil {
		return "", fmt.Errorf("drill token: %w", err)
	}
	c.mu.Lock()
	c.tokens[citizen] = tok
	c.mu.Unlock()
	return tok, nil
}

// retrying repeats fn while the broker cannot answer (a transport error, a
// 401 after a restart, a 5xx, or a 409 for a request still in flight when
// the broker died) while retry says so, until ctx ends.
func retrying(ctx context.Context, fn func() (answer, error), retry func(answer) bool) (answer, error) {
	for {
		a, err := fn()
		if err == nil && !retry(a) {
			return a, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("http %d %s", a.status, a.code)
			}
			return a, fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// transient reports answers that a restart or a crash explains.
func transient(a answer) bool {
	switch {
	case a.status == http.StatusUnauthorized, a.status == http.StatusConflict && a.code == "idempotency-key-in-flight":
		return true
	case a.status >= 500:
		// A region that is down or too busy is the broker's answer to the
		// citizen, not a crash: the citizen is told to come back later.
		return a.code != "region-unavailable" && a.code != "region-busy"
	}
	return false
}
