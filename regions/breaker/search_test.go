package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/breaker"
	"github.com/fedhealth/federation/regions/fhir"
	"github.com/fedhealth/federation/regions/missim"
)

func search(m contracts.MIS) error {
	_, err := m.SearchSlots(context.Background(), contracts.SlotQuery{})
	return err
}

// retryAfter is how the API reads a refused search's Retry-After.
func retryAfter(err error) time.Duration {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}

// assertBusy checks err is a refused or cut-short search as the API sees it.
func assertBusy(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, breaker.ErrSearchBusy) || !errors.Is(err, contracts.ErrRegionUnavailable) ||
		contracts.KindOf(err) != contracts.KindUnavailable || retryAfter(err) <= 0 {
		t.Fatalf("err = %v (Retry-After %v), want an unavailable ErrSearchBusy with a Retry-After", err, retryAfter(err))
	}
}

func TestAFullSearchBudgetRefusesAtOnceAndIsNotHeldAgainstTheRegion(t *testing.T) {
	mis := &fakeMIS{searchPause: time.Hour}
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 1, SearchMaxConcurrent: 2, SearchTimeout: time.Hour}, mis)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	for range 2 {
		go func() { _, _ = m.SearchSlots(ctx, contracts.SlotQuery{}) }()
	}
	eventually(t, "both search places are taken", func() bool { return mis.inFlight.Load() == 2 })
	for range 5 {
		began := time.Now()
		err := search(m)
		assertBusy(t, err)
		if took := time.Since(began); took > 100*time.Millisecond {
			t.Fatalf("a refused search took %v, want an answer at once", took)
		}
	}
	if n := mis.calls.Load(); n != 2 {
		t.Errorf("next called %d times, want 2: a refused search is never sent", n)
	}
	if m.Status() != contracts.RegionAvailable {
		t.Errorf("status = %s after refused searches, want available", m.Status())
	}
}

func TestASearchPastSearchTimeoutIsCutShortAndNotHeldAgainstTheRegion(t *testing.T) {
	mis := &fakeMIS{searchPause: time.Hour}
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 2, SearchTimeout: 20 * time.Millisecond}, mis)
	for range 5 {
		began := time.Now()
		assertBusy(t, search(m))
		if took := time.Since(began); took > time.Second {
			t.Fatalf("a search took %v, want it cut at the 20ms search timeout", took)
		}
	}
	if m.Status() != contracts.RegionAvailable {
		t.Errorf("status = %s after 5 searches cut short by our timeout, want available", m.Status())
	}
	// The sagas' calls, with their own timeout, still judge the region.
	mis.mu.Lock()
	mis.pause = time.Hour
	mis.mu.Unlock()
	for range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, _ = m.Hold(ctx, contracts.HoldRequest{SlotID: "s1", IdempotencyKey: "k"})
		cancel()
	}
	if m.Status() != contracts.RegionUnavailable {
		t.Errorf("status = %s after 2 holds timed out, want unavailable", m.Status())
	}
}

func TestASearchThatFindsTheMISDownCountsAgainstTheRegion(t *testing.T) {
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 3, OpenTimeout: time.Hour},
		&fakeMIS{err: fmt.Errorf("search: %w", contracts.ErrRegionUnavailable)})
	for range 3 {
		if err := search(m); errors.Is(err, breaker.ErrSearchBusy) {
			t.Fatalf("err = %v: the MIS's own failure is not the search budget's", err)
		}
	}
	if m.Status() != contracts.RegionUnavailable {
		t.Errorf("status = %s after 3 searches found the MIS down, want unavailable", m.Status())
	}
}

func TestSearchesNeverTakeTheSagaCallsPlaces(t *testing.T) {
	mis := &fakeMIS{searchPause: time.Hour}
	m := newBreaker(t, breaker.Config{MaxConcurrent: 1, SearchMaxConcurrent: 4, SearchTimeout: time.Hour}, mis)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	for range 4 {
		go func() { _, _ = m.SearchSlots(ctx, contracts.SlotQuery{}) }()
	}
	eventually(t, "four searches are in flight", func() bool { return mis.inFlight.Load() == 4 })
	hctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := m.Hold(hctx, contracts.HoldRequest{SlotID: "s1", IdempotencyKey: "k"}); err != nil {
		t.Fatalf("hold beside four searches in flight: %v, want it through the saga calls' own place", err)
	}
}

// TestASearchCutShortWhileProbingLeavesTheProbeToTheNextCall: a half-open
// breaker's probe that our search timeout ended neither closes the breaker
// (the MIS proved nothing) nor keeps the probe's place.
func TestASearchCutShortWhileProbingLeavesTheProbeToTheNextCall(t *testing.T) {
	mis := &fakeMIS{err: contracts.ErrRegionUnavailable}
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 1, OpenTimeout: 20 * time.Millisecond, SearchTimeout: 20 * time.Millisecond}, mis)
	_ = hold(m)
	eventually(t, "the breaker turns half-open", func() bool { return m.Status() == contracts.RegionDegraded })
	mis.mu.Lock()
	mis.err, mis.searchPause = nil, time.Hour
	mis.mu.Unlock()
	assertBusy(t, search(m))
	if m.Status() != contracts.RegionDegraded {
		t.Fatalf("status = %s after a probing search was cut short, want still degraded", m.Status())
	}
	if err := hold(m); err != nil {
		t.Fatalf("the next probe: %v, want it let through", err)
	}
	if m.Status() != contracts.RegionAvailable {
		t.Errorf("status = %s after a successful probe, want available", m.Status())
	}
}

// slowSearchMIS is the reference simulator on loopback whose slot search
// (GET /Slot) hangs while slow is set, as an overloaded search index would;
// holds and bookings answer as usual.
func slowSearchMIS(t *testing.T, slow *atomic.Bool) string {
	t.Helper()
	sim, err := missim.New(missim.Config{Region: "77", Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Load() && r.Method == http.MethodGet && r.URL.Path == "/Slot" {
			<-r.Context().Done()
			return
		}
		sim.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAFloodOfSlowSearchesStarvesNeitherBookingsNorTheBreaker(t *testing.T) {
	var slow atomic.Bool
	client, err := fhir.New(fhir.Config{
		Region:  contracts.Region{Code: "77", Name: "Moscow", TimeZone: "Europe/Moscow"},
		BaseURL: slowSearchMIS(t, &slow), CallTimeout: 2 * time.Second,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	m := newBreaker(t, breaker.Config{ConsecutiveFailures: 3, OpenTimeout: time.Hour, MaxConcurrent: 4,
		SearchMaxConcurrent: 4, SearchTimeout: 150 * time.Millisecond}, client)
	slots, err := m.SearchSlots(context.Background(), contracts.SlotQuery{Limit: 20})
	if err != nil || len(slots) < 10 {
		t.Fatalf("search before the flood: %d slots, %v", len(slots), err)
	}

	slow.Store(true)
	ctx, stop := context.WithCancel(context.Background())
	var flood sync.WaitGroup
	var busy, other atomic.Int64
	for range 32 {
		flood.Go(func() {
			for ctx.Err() == nil {
				if err := search(m); errors.Is(err, breaker.ErrSearchBusy) {
					busy.Add(1)
					// A refused search comes back at once; without a pause
					// the flood would only test the scheduler on 2 cores.
					time.Sleep(time.Millisecond)
				} else {
					other.Add(1)
				}
			}
		})
	}
	defer func() { stop(); flood.Wait() }()
	time.Sleep(50 * time.Millisecond) // the flood fills the search budget

	patient := contracts.Patient{SNILS: "11223344595"}
	for i, sl := range slots[:10] {
		began := time.Now()
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		a, err := m.Hold(cctx, contracts.HoldRequest{SlotID: sl.ID, Patient: patient, IdempotencyKey: fmt.Sprintf("h%d", i)})
		if err == nil {
			_, err = m.Book(cctx, contracts.BookRequest{AppointmentID: a.ID, IdempotencyKey: fmt.Sprintf("b%d", i)})
		}
		cancel()
		if err != nil {
			t.Fatalf("booking %d during the search flood: %v after %v", i, err, time.Since(began))
		}
	}
	if m.Status() != contracts.RegionAvailable {
		t.Errorf("status = %s during the search flood, want available", m.Status())
	}
	stop()
	flood.Wait()
	if busy.Load() == 0 || other.Load() != 0 {
		t.Errorf("%d searches refused or cut short as busy, %d otherwise; want every flooded search busy", busy.Load(), other.Load())
	}
	if m.Status() != contracts.RegionAvailable {
		t.Errorf("status = %s after the search flood, want available", m.Status())
	}
}
