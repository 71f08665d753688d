package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

func TestARememberedTokenStillExpiresOnTime(t *testing.T) {
	ti := startIssuer(t)
	clock := clockwork.NewFakeClock()
	v := newTestVerifier(t, ti, func(c *VerifierConfig) { c.Now = clock.Now; c.Leeway = time.Second })
	tok, err := ti.Issue("anna", 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second answer comes from the cache
		if c, err := v.Verify(context.Background(), tok); err != nil || c.Subject != "anna" {
			t.Fatalf("fresh token: %v %v", c, err)
		}
	}
	clock.Advance(45 * time.Second)
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("expired token accepted from the cache: %v", err)
	}
	if _, err := v.Verify(context.Background(), tok+"x"); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("tampered token accepted: %v", err)
	}
}
