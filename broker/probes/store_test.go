package probes_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/probes"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func run(region string, at time.Time, failed ...string) probes.Run {
	return probes.Run{Region: region, Kind: "fhir", Started: at, Finished: at.Add(time.Second),
		Passed: 2 - len(failed), Failed: len(failed), FailedIDs: failed}
}

func TestTheLatestResultPerRequirementAndTheHistoryOfRuns(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, another := open(t)
		ctx := context.Background()
		a, err := probes.NewStore(ctx, db, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := probes.NewStore(ctx, another(), true, nil)
		first := []probes.Result{
			{Requirement: "FHIR-SEARCH-01", Title: "search", Required: true, Status: probes.StatusPass, Duration: 3 * time.Millisecond, CheckedAt: t0},
			{Requirement: "FHIR-OLD-01", Title: "gone from the kit", Status: probes.StatusPass, CheckedAt: t0},
		}
		if err := a.Save(ctx, run("77", t0), first); err != nil {
			t.Fatal(err)
		}
		later := t0.Add(10 * time.Minute)
		second := []probes.Result{
			{Requirement: "FHIR-SEARCH-01", Title: "search", Required: true, Status: probes.StatusFail, Evidence: "GET /Slot → 503", CheckedAt: later},
			{Requirement: "FHIR-META-01", Title: "metadata", Status: probes.StatusSkip, CheckedAt: later},
		}
		if err := b.Save(ctx, run("77", later, "FHIR-SEARCH-01"), second); err != nil {
			t.Fatal(err)
		}
		_ = a.Save(ctx, run("54", t0), first[:1])

		got, err := a.Latest(ctx, "77")
		if err != nil || len(got) != 2 {
			t.Fatalf("latest of 77: %+v %v, want the two requirements of the last run", got, err)
		}
		if got[0].Requirement != "FHIR-META-01" || got[1].Status != probes.StatusFail || got[1].Evidence != "GET /Slot → 503" ||
			!got[1].CheckedAt.Equal(later) || !got[1].Required {
			t.Errorf("latest of 77: %+v", got)
		}
		runs, err := a.Runs(ctx, "77", 5)
		if err != nil || len(runs) != 2 || !runs[0].Started.Equal(later) || strings.Join(runs[0].FailedIDs, ",") != "FHIR-SEARCH-01" ||
			runs[0].OK() || !runs[1].OK() {
			t.Errorf("runs of 77: %+v %v, want the failed run first, then the passed one", runs, err)
		}
		last, err := a.LastRuns(ctx)
		if err != nil || len(last) != 2 || last[0].Region != "54" || last[1].Region != "77" || !last[1].Started.Equal(later) {
			t.Errorf("last runs: %+v %v", last, err)
		}
		if all, err := b.LatestAll(ctx); err != nil || len(all) != 2 || len(all["54"]) != 1 || len(all["77"]) != 2 {
			t.Errorf("latest of all regions: %+v %v", all, err)
		}
		if none, err := a.Latest(ctx, "16"); err != nil || len(none) != 0 {
			t.Errorf("a region never probed: %+v %v, want nothing", none, err)
		}
	})
}

func TestRunsPastTheRetentionArePruned(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, _ := open(t)
		ctx := context.Background()
		s, err := probes.NewStore(ctx, db, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		old := []probes.Result{{Requirement: "SOAP-WSDL-01", Title: "wsdl", Status: probes.StatusPass, CheckedAt: t0}}
		_ = s.Save(ctx, run("41", t0), old)
		_ = s.Save(ctx, run("77", t0.Add(48*time.Hour)), []probes.Result{{Requirement: "FHIR-AUTH-01", Title: "auth", Status: probes.StatusPass, CheckedAt: t0.Add(48 * time.Hour)}})
		n, err := s.Prune(ctx, t0.Add(24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("pruned %d runs, %v; want 1", n, err)
		}
		if runs, _ := s.Runs(ctx, "41", 5); len(runs) != 0 {
			t.Errorf("runs of 41 after the prune: %+v", runs)
		}
		if res, _ := s.Latest(ctx, "41"); len(res) != 0 {
			t.Errorf("results of 41 after the prune: %+v", res)
		}
		if runs, _ := s.Runs(ctx, "77", 5); len(runs) != 1 {
			t.Errorf("runs of 77 after the prune: %+v, want the recent one kept", runs)
		}
	})
}

func TestOneInstanceAtATimeHoldsARegionsLease(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, open sqldbtest.Open) {
		db, another := open(t)
		ctx := context.Background()
		a, err := probes.NewStore(ctx, db, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := probes.NewStore(ctx, another(), true, nil)
		stores := []*probes.Store{a, b}
		var mu sync.Mutex
		var winners []int
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				ok, err := stores[i%2].TakeLease(ctx, "77", "instance-"+string(rune('a'+i)), t0, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					winners = append(winners, i)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("%d instances took the lease at once (%v), want exactly one", len(winners), winners)
		}
		holder := "instance-" + string(rune('a'+winners[0]))
		if ok, _ := a.TakeLease(ctx, "77", "late", t0.Add(30*time.Second), time.Minute); ok {
			t.Error("another instance took a running lease")
		}
		if ok, _ := a.TakeLease(ctx, "77", holder, t0.Add(30*time.Second), time.Minute); !ok {
			t.Error("the holder could not renew its own lease")
		}
		if err := b.ReleaseLease(ctx, "77", holder); err != nil {
			t.Fatal(err)
		}
		if ok, _ := a.TakeLease(ctx, "77", "late", t0.Add(31*time.Second), time.Minute); !ok {
			t.Error("a released lease could not be taken")
		}
	})
}

func TestAnExcerptHoldsNoSecretNoIdentifierAndIsBounded(t *testing.T) {
	ev := []string{
		`GET /Slot with "Authorization: Bearer s3cr3t-token" → 500`,
		`practitioner identifier {"system":"snils","value":"123-456-789 01"}, policy 1234567890123456`,
		`slot 2026-12-01T09:00:00+03:00 count 10`,
	}
	got := probes.Excerpt(ev, "s3cr3t-token", "")
	for _, leak := range []string{"s3cr3t", "123-456-789 01", "1234567890123456"} {
		if strings.Contains(got, leak) {
			t.Errorf("excerpt %q still holds %q", got, leak)
		}
	}
	if !strings.Contains(got, "2026-12-01T09:00:00+03:00 count 10") || strings.Count(got, probes.Redacted) != 3 {
		t.Errorf("excerpt %q, want times and short numbers kept and three parts redacted", got)
	}
	long := probes.Excerpt([]string{strings.Repeat("ж", probes.MaxEvidence)})
	if len(long) > probes.MaxEvidence || !strings.HasSuffix(long, "…") || !strings.HasPrefix(long, "ж") {
		t.Errorf("a long excerpt is %d bytes, want at most %d and marked as cut", len(long), probes.MaxEvidence)
	}
}
