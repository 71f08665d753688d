package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/fedhealth/federation/broker/bookings"
)

// HeaderIdempotencyKey is the header citizens' state-changing requests carry.
const HeaderIdempotencyKey = "Idempotency-Key"

// staleClaim is how long a request may stay in flight before another with
// the same key takes over (its first owner crashed).
const staleClaim = 30 * time.Second

// idempotent makes a handler answer a repeated request (same citizen, same
// key, same method, path and body) with the first answer, refuse the key
// with another request (422), and refuse a concurrent duplicate (409).
// Server errors are not remembered, so the citizen may retry them.
func (s *Server) idempotent(required bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Header.Get(HeaderIdempotencyKey)
			if key == "" && !required {
				next.ServeHTTP(w, r)
				return
			}
			if err := checkKey(key); err != nil {
				s.writeError(w, r, err)
				return
			}
			body, err := readBody(w, r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			owner := s.owner(r)
			sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
			hash := hex.EncodeToString(sum[:])
			rec, err := s.cfg.Idempotency.Reserve(r.Context(), owner, key, hash, staleClaim)
			switch {
			case err != nil:
				s.writeError(w, r, err)
			case rec == nil:
				s.runOnce(w, r, next, owner, key, time.Now())
			case rec.RequestHash != hash:
				s.writeError(w, r, errKeyReused)
			case rec.StatusCode == 0:
				s.writeError(w, r, errKeyInFlight)
			default:
				replay(w, rec.StatusCode, rec.Response)
			}
		})
	}
}

var (
	errKeyTooLong  = bookings.Invalid("Idempotency-Key must be at most 255 characters")
	errKeyNotASCII = bookings.Invalid("Idempotency-Key must be printable ASCII")
)

func checkKey(key string) error {
	if key == "" {
		return errKeyMissing
	}
	if len(key) > 255 {
		return errKeyTooLong
	}
	for _, c := range key {
		if c < 0x21 || c > 0x7e {
			return errKeyNotASCII
		}
	}
	return nil
}

// runOnce runs the request whose key this instance claimed no later than
// claimedBy, and records its answer or frees the key.
func (s *Server) runOnce(w http.ResponseWriter, r *http.Request, next http.Handler, owner, key string, claimedBy time.Time) {
	cw := &capture{ResponseWriter: w, status: http.StatusOK}
	next.ServeHTTP(cw, r)
	// The citizen who hung up is the one who retries: record the answer
	// (or free the key) even though the request's context has ended.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	var err error
	if cw.status >= 500 {
		if err = s.cfg.Idempotency.Release(ctx, owner, key, claimedBy); err != nil {
			// The store that failed the request may refuse the release too
			// (a full disk): keep trying, so the key is free the moment the
			// store takes writes again rather than after staleClaim.
			s.releaseLater(owner, key, claimedBy)
		}
	} else {
		err = s.cfg.Idempotency.Complete(ctx, owner, key, cw.status, cw.body.Bytes())
	}
	if err != nil {
		s.logger.Error("idempotency key not recorded", "correlation_id", CorrelationID(ctx), "err", err)
	}
}

// releaseLater retries freeing a key whose release failed, for as long as
// its claim would otherwise block the citizen's retry: one goroutine per
// key, at most maxReleaseRetries at once (beyond that the claim simply goes
// stale after staleClaim), each retrying four times a second.
func (s *Server) releaseLater(owner, key string, claimedBy time.Time) {
	id := owner + "\x00" + key
	if s.releasing.Add(1) > maxReleaseRetries {
		s.releasing.Add(-1)
		return
	}
	if _, dup := s.pendingReleases.LoadOrStore(id, struct{}{}); dup {
		s.releasing.Add(-1)
		return
	}
	go func() {
		defer func() { s.pendingReleases.Delete(id); s.releasing.Add(-1) }()
		ctx, cancel := context.WithTimeout(context.Background(), staleClaim)
		defer cancel()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if s.cfg.Idempotency.Release(ctx, owner, key, claimedBy) == nil {
					return
				}
			}
		}
	}()
}

// maxReleaseRetries bounds the keys whose release is retried at once.
const maxReleaseRetries = 256

func replay(w http.ResponseWriter, status int, body []byte) {
	ct := "application/json"
	if status >= 400 {
		ct = "application/problem+json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// capture records the status and body a handler writes.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *capture) Write(p []byte) (int, error) {
	c.body.Write(p)
	return c.ResponseWriter.Write(p)
}
