package missim_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/missim"
)

func TestDownRegionAnswers503(t *testing.T) {
	s := newSim(t, missim.Config{Region: "16"})
	if st := putFaults(t, s.url, `{"down": true}`); st != http.StatusOK {
		t.Fatalf("PUT /admin/faults: %d", st)
	}
	var oo misv2.OperationOutcome
	if st := s.get(t, "/Slot?status=free", &oo); st != http.StatusServiceUnavailable || len(oo.Issue) == 0 {
		t.Errorf("search while down: %d %+v, want 503 OperationOutcome", st, oo)
	}
	var f missim.Faults
	if st := s.get(t, "/admin/faults", &f); st != http.StatusOK || !f.Down {
		t.Errorf("GET /admin/faults: %d %+v, want down", st, f)
	}
}

func TestErrorRateFailsWithoutDoingAnything(t *testing.T) {
	s := newSim(t, missim.Config{Region: "16"})
	slotID := s.freeSlot(t, 0)
	if err := s.SetFaults(missim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := s.hold(t, slotID, "h-1"); st != http.StatusInternalServerError {
		t.Errorf("hold with error_rate 1: %d, want 500", st)
	}
	if n := len(s.Appointments()); n != 0 {
		t.Errorf("a failed call made %d appointments, want 0", n)
	}
}

func TestLatencyDelaysAnswers(t *testing.T) {
	s := newSim(t, missim.Config{Region: "16"})
	if err := s.SetFaults(missim.Faults{LatencyMS: 150}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.get(t, "/Slot?_count=1", nil)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answer took %s, want at least 150ms", d)
	}
}

func TestTimeoutAfterCommitKeepsTheEffect(t *testing.T) {
	s := newSim(t, missim.Config{Region: "16"})
	slotID := s.freeSlot(t, 0)
	if st := putFaults(t, s.url, `{"timeout_after_commit_rate": 1}`); st != http.StatusOK {
		t.Fatalf("PUT /admin/faults: %d", st)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if st := s.post(t, ctx, "/Appointment/$hold", "h-lost", holdBody(slotID), nil); st != 0 || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("hold answered %d; want no answer before the client's deadline", st)
	}
	appts := s.Appointments()
	if len(appts) != 1 || appts[0].HoldKey != "h-lost" || appts[0].Status != misv2.StatusPending {
		t.Fatalf("admin appointments %+v, want the lost hold, pending", appts)
	}
	if err := s.SetFaults(missim.Faults{}); err != nil {
		t.Fatal(err)
	}
	if st, a, _ := s.hold(t, slotID, "h-lost"); st != http.StatusOK || a.ID != appts[0].ID {
		t.Errorf("retry with the same key: %d %s, want 200 %s", st, a.ID, appts[0].ID)
	}
}

func TestAdminFaultsAreValidated(t *testing.T) {
	s := newSim(t, missim.Config{Region: "16"})
	for _, tc := range []struct {
		name string
		body string
		want int
	}{
		{"all faults off is accepted", `{}`, http.StatusOK},
		{"a full set of faults is accepted", `{"down":false,"latency_ms":20,"error_rate":0.1,"timeout_after_commit_rate":0.05}`, http.StatusOK},
		{"a negative latency is refused", `{"latency_ms":-1}`, http.StatusBadRequest},
		{"a latency over a minute is refused", `{"latency_ms":60001}`, http.StatusBadRequest},
		{"an error rate above one is refused", `{"error_rate":1.5}`, http.StatusBadRequest},
		{"a negative timeout rate is refused", `{"timeout_after_commit_rate":-0.1}`, http.StatusBadRequest},
		{"an unknown field is refused", `{"dwon":true}`, http.StatusBadRequest},
		{"a body that is not JSON is refused", `down`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := putFaults(t, s.url, tc.body); got != tc.want {
				t.Errorf("PUT /admin/faults %s: %d, want %d", tc.body, got, tc.want)
			}
		})
	}
}

func TestAdminIsOutsideTheBearerCheck(t *testing.T) {
	// No admin token and a loopback server: admin is open (adminauth_test.go).
	s := newSim(t, missim.Config{Region: "16", BearerToken: "t"})
	if st := s.get(t, "/admin/appointments", nil); st != http.StatusOK {
		t.Errorf("GET /admin/appointments without the contract's token: %d, want 200", st)
	}
	if st := s.get(t, "/Slot", nil); st != http.StatusUnauthorized {
		t.Errorf("GET /Slot without token: %d, want 401", st)
	}
}
