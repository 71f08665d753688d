package mishttp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/mishttp"
)

func newClient(t *testing.T) *mishttp.Client {
	t.Helper()
	c, err := mishttp.New(mishttp.Config{BearerToken: "s3cret", CallTimeout: 300 * time.Millisecond, MaxBody: 1 << 10,
		ReadAttempts: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// server answers each request with the next status of statuses (the last
// one repeated) and counts the requests.
func server(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		i := int(n.Add(1)) - 1
		w.WriteHeader(statuses[min(i, len(statuses)-1)])
		_, _ = w.Write([]byte("answer"))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestOnlySafeCallsAreRepeated(t *testing.T) {
	cases := []struct {
		name     string
		safe     bool
		statuses []int
		want     int // requests the server sees
		status   int
	}{
		{"a safe call is repeated while the server says not now", true, []int{503, 429, 200}, 3, 200},
		{"a safe call gives up after its attempts", true, []int{502}, 3, 502},
		{"a safe call's 500 is the server's answer, not repeated", true, []int{500, 200}, 1, 500},
		{"a call that may change something is sent once", false, []int{503, 200}, 1, 503},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, n := server(t, tc.statuses...)
			ans, err := newClient(t).Post(context.Background(), srv.URL, []byte("q"), nil, tc.safe)
			if err != nil || ans.Status != tc.status || string(ans.Body) != "answer" {
				t.Fatalf("answer %d %q, %v; want %d", ans.Status, ans.Body, err, tc.status)
			}
			if got := int(n.Load()); got != tc.want {
				t.Errorf("the server saw %d requests, want %d", got, tc.want)
			}
		})
	}
}

func TestEveryRequestCarriesTheTokenTheCorrelationIDAndTheDialectsHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	t.Cleanup(srv.Close)
	ctx := contracts.WithCorrelationID(context.Background(), "corr-1")
	for _, safe := range []bool{true, false} {
		if _, err := newClient(t).Post(ctx, srv.URL, nil, http.Header{"Content-Type": {"text/xml"}}, safe); err != nil {
			t.Fatal(err)
		}
		if got.Get("Authorization") != "Bearer s3cret" || got.Get(contracts.HeaderCorrelationID) != "corr-1" || got.Get("Content-Type") != "text/xml" {
			t.Errorf("safe=%v: headers %v", safe, got)
		}
	}
}

func TestAnAnswerOverTheLimitIsRefusedAndAnEndlessOneDoesNotHang(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 512))
		for r.Context().Err() == nil { // never ends
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	start := time.Now()
	_, err := newClient(t).Post(context.Background(), srv.URL, nil, nil, true)
	if !errors.Is(err, mishttp.ErrTooLarge) {
		t.Fatalf("endless answer: %v, want ErrTooLarge", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing it took %s", d)
	}
}

func TestAnAnswerThatStopsHalfWayIsNoAnswerThatMayHaveBeenSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte("<Envelope"))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes
	}))
	t.Cleanup(srv.Close)
	_, err := newClient(t).Post(context.Background(), srv.URL, nil, nil, false)
	var lost *mishttp.NoAnswerError
	if !errors.As(err, &lost) || !lost.MaybeSent {
		t.Fatalf("half an answer: %v, want a NoAnswerError that may have been sent", err)
	}
}

func TestAServerThatCannotBeReachedIsNoAnswerNeverSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	_, err = newClient(t).Post(context.Background(), "http://"+addr, nil, nil, false)
	var lost *mishttp.NoAnswerError
	if !errors.As(err, &lost) || lost.MaybeSent {
		t.Fatalf("refused connection: %v, want a NoAnswerError never sent", err)
	}
}

func TestARedirectIsNotFollowed(t *testing.T) {
	elsewhere, n := server(t, 200)
	srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	t.Cleanup(srv.Close)
	ans, err := newClient(t).Post(context.Background(), srv.URL, []byte("patient"), nil, true)
	if err != nil || ans.Status != http.StatusTemporaryRedirect || n.Load() != 0 {
		t.Fatalf("redirect: %d %v, %d requests elsewhere; want the 307 back and nothing sent on", ans.Status, err, n.Load())
	}
}

func TestABadConfigIsRefused(t *testing.T) {
	if _, err := mishttp.New(mishttp.Config{CallTimeout: time.Second}); !errors.Is(err, contracts.ErrInvalid) {
		t.Fatalf("config without limits: %v, want ErrInvalid", err)
	}
}
