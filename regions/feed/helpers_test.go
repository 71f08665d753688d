package feed_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/feed"
	"github.com/fedhealth/federation/regions/missim/feedsim"
	"github.com/jonboulle/clockwork"
)

const vladivostok = "Asia/Vladivostok"

// clock is a settable time source for the source's staleness.
// clock is a settable time source for the source's staleness.
func clockAt(t time.Time) *clockwork.FakeClock { return clockwork.NewFakeClockAt(t) }

// startSim serves a seeded publisher for region 25 on loopback.
func startSim(t *testing.T) (*feedsim.Server, string) {
	t.Helper()
	sim, err := feedsim.New(feedsim.Config{Region: "25", TimeZone: vladivostok, Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv.URL
}

// newSource reads base with a one-minute poll interval on clk.
func newSource(t *testing.T, base string, clk *clockwork.FakeClock, edit ...func(*feed.Config)) *feed.Source {
	t.Helper()
	cfg := feed.Config{
		Region:       contracts.Region{Code: "25", Name: "Приморский край", TimeZone: vladivostok},
		BaseURL:      base,
		PollInterval: time.Minute,
		Timeout:      10 * time.Second,
		Now:          clk.Now,
	}
	for _, e := range edit {
		e(&cfg)
	}
	src, err := feed.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func mustSync(t *testing.T, src *feed.Source) {
	t.Helper()
	if err := src.Sync(context.Background()); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

func setFaults(t *testing.T, sim *feedsim.Server, f feedsim.Faults) {
	t.Helper()
	if err := sim.SetFaults(f); err != nil {
		t.Fatal(err)
	}
}

// files serves fixed bodies by path on loopback; the manifest's file URLs
// may use {base}, replaced by the server's URL.
type files struct {
	mu     sync.Mutex
	bodies map[string]string
	srv    *httptest.Server
}

func serveFiles(t *testing.T, bodies map[string]string) *files {
	t.Helper()
	f := &files{bodies: bodies}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		body, ok := f.bodies[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(replaceBase(body, f.srv.URL)))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *files) set(path, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies[path] = body
}

func replaceBase(s, base string) string { return strings.ReplaceAll(s, "{base}", base) }
