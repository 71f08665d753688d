package fhir_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
	"github.com/fedhealth/federation/regions/fhir"
)

// The fuzz targets feed arbitrary MIS answers to the client through a real
// loopback server, so every byte takes the production path: HTTP, status
// mapping, JSON decoding and the contract checks. Each asserts what the
// broker relies on whatever the MIS sends: no panic, one contract sentinel
// on failure, and only well-formed values on success.

// fuzzMIS answers every request with the answer set last.
type fuzzMIS struct {
	status atomic.Int32
	body   atomic.Pointer[[]byte]
}

func (m *fuzzMIS) set(status int, body []byte) {
	m.status.Store(int32(status))
	m.body.Store(&body)
}

func (m *fuzzMIS) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", misv2.ContentType)
	w.WriteHeader(int(m.status.Load()))
	_, _ = w.Write(*m.body.Load())
}

// newFuzzClient serves m on loopback and returns a client of it that makes
// one attempt per call, so a run measures decoding, not backoff.
func newFuzzClient(f *testing.F) (*fhir.Client, *fuzzMIS) {
	m := &fuzzMIS{}
	m.set(http.StatusOK, nil)
	srv := httptest.NewServer(m)
	f.Cleanup(srv.Close)
	cfg := testConfig(srv.URL)
	cfg.CallTimeout = 2 * time.Second
	cfg.Retry.MaxAttempts = 1
	c, err := fhir.New(cfg, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = c.Close() })
	return c, m
}

func seedJSON(f *testing.F, values ...any) {
	for _, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Slot","id":"s","start":"2025-03-10T09:00:00+10:00","end":"2025-03-10T08:00:00+10:00"}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","entry":[{"resource":null},{"resource":{"resourceType":"Appointment"}}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
}

// fhirID mirrors the contract's id syntax (resources.go), which every id
// handed to the broker must have.
var fhirID = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// failsAsUnavailable asserts the one error a broken read answer may give.
func failsAsUnavailable(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, contracts.ErrRegionUnavailable) {
		t.Fatalf("err = %v, want one wrapping ErrRegionUnavailable", err)
	}
}

func FuzzSearchSlotsAnswer(f *testing.F) {
	seedJSON(f, slotBundle(), shiftedBundle(), emptyBundle())
	c, mis := newFuzzClient(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		mis.set(http.StatusOK, body)
		slots, err := c.SearchSlots(context.Background(), contracts.SlotQuery{})
		if err != nil {
			failsAsUnavailable(t, err)
			return
		}
		for i, s := range slots {
			_, off := s.Start.Zone()
			switch {
			case !fhirID.MatchString(s.ID):
				t.Fatalf("slot id %q is not a FHIR id", s.ID)
			case !s.End.After(s.Start):
				t.Fatalf("slot %s ends %v, not after its start %v", s.ID, s.End, s.Start)
			case s.Start.Location().String() != "Asia/Vladivostok" || off != 10*3600:
				t.Fatalf("slot %s starts %v, not in the region's zone and offset", s.ID, s.Start)
			case i > 0 && s.Start.Before(slots[i-1].Start):
				t.Fatalf("slots not sorted by start at %d", i)
			}
		}
	})
}

func FuzzAppointmentAnswer(f *testing.F) {
	seedJSON(f, heldAppointment("a1", "saga-1:hold"), misv2.Appointment{ResourceType: "Appointment", ID: "a2", Status: misv2.StatusBooked})
	c, mis := newFuzzClient(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		mis.set(http.StatusOK, body)
		read, rerr := c.ReadAppointment(context.Background(), "a1")
		booked, berr := c.Book(context.Background(), contracts.BookRequest{AppointmentID: "a1", IdempotencyKey: "saga-1:book"})
		if rerr != nil {
			failsAsUnavailable(t, rerr)
		}
		if berr != nil && !errors.Is(berr, contracts.ErrOutcomeUnknown) {
			// It answered 2xx to a state change: the change happened, so
			// only a read-back can say what it is.
			t.Fatalf("book err = %v, want ErrOutcomeUnknown", berr)
		}
		if (rerr == nil) != (berr == nil) || read != booked {
			t.Fatalf("one answer decoded two ways: read %+v, %v; book %+v, %v", read, rerr, booked, berr)
		}
		if rerr == nil && !fhirID.MatchString(read.ID) {
			t.Fatalf("appointment id %q is not a FHIR id", read.ID)
		}
		if !read.HoldExpires.IsZero() && read.HoldExpires.Location().String() != "Asia/Vladivostok" {
			t.Fatalf("hold expiry %v is not in the region's zone", read.HoldExpires)
		}
	})
}

func FuzzFindHoldAnswer(f *testing.F) {
	found := emptyBundle()
	found.Entry = []misv2.BundleEntry{entry("match", heldAppointment("a7", "saga-7:hold"))}
	seedJSON(f, found, emptyBundle())
	c, mis := newFuzzClient(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		mis.set(http.StatusOK, body)
		appt, err := c.FindHold(context.Background(), contracts.HoldRequest{SlotID: "s7", IdempotencyKey: "saga-7:hold"})
		switch {
		case errors.Is(err, contracts.ErrNotFound):
		case err != nil:
			failsAsUnavailable(t, err)
		case appt.HoldKey != "saga-7:hold" || !fhirID.MatchString(appt.ID):
			t.Fatalf("found %+v for another key or without an id", appt)
		}
	})
}

// FuzzErrorAnswer feeds non-2xx answers, OperationOutcomes among them, to a
// read and to a keyed state change.
func FuzzErrorAnswer(f *testing.F) {
	for _, code := range []string{misv2.RefusalSlotTaken, misv2.RefusalHoldExpired, misv2.RefusalNotAttached, misv2.RefusalReferralRequired, "no-such-code"} {
		b, _ := json.Marshal(outcome(code))
		f.Add(uint16(http.StatusConflict), b)
		f.Add(uint16(http.StatusUnprocessableEntity), b)
	}
	for _, st := range []int{301, 400, 401, 403, 404, 409, 429, 500, 501, 502, 503, 504} {
		f.Add(uint16(st), []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","diagnostics":"patient 123-456-789 01"}]}`))
	}
	c, mis := newFuzzClient(f)
	sentinels := []error{contracts.ErrInvalid, contracts.ErrNotFound, contracts.ErrConflict, contracts.ErrRegionUnavailable,
		contracts.ErrOutcomeUnknown, contracts.ErrSlotTaken, contracts.ErrHoldExpired, contracts.ErrNotAttached, contracts.ErrReferralRequired}
	calls := []func() error{
		func() error { _, err := c.ReadAppointment(context.Background(), "a1"); return err },
		func() error {
			_, err := c.Book(context.Background(), contracts.BookRequest{AppointmentID: "a1", IdempotencyKey: "saga-1:book"})
			return err
		},
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		st := 300 + int(status)%300 // every non-2xx status a server can send
		for _, call := range calls {
			mis.set(st, body)
			err := call()
			if err == nil {
				t.Fatalf("status %d: no error", st)
			}
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n == 0 {
				t.Fatalf("status %d: %v wraps no contract sentinel", st, err)
			}
			if d, quoted := quotesDiagnostics(err, body, func(clean []byte) error { mis.set(st, clean); return call() }); quoted {
				t.Fatalf("status %d: error %q quotes the diagnostics %q", st, err, d)
			}
		}
	})
}

// quotesDiagnostics reports an OperationOutcome diagnostic that err quotes
// (an MIS may put patient data there): one err contains but the error of
// the same answer without diagnostics (again) does not.
func quotesDiagnostics(err error, body []byte, again func(clean []byte) error) (string, bool) {
	var oo misv2.OperationOutcome
	if json.Unmarshal(body, &oo) != nil {
		return "", false
	}
	var ds []string
	for i, is := range oo.Issue {
		if len(is.Diagnostics) >= 4 && strings.Contains(err.Error(), is.Diagnostics) {
			ds = append(ds, is.Diagnostics)
		}
		oo.Issue[i].Diagnostics = ""
	}
	if len(ds) == 0 {
		return "", false
	}
	clean, _ := json.Marshal(oo)
	baseline := again(clean).Error()
	for _, d := range ds {
		if !strings.Contains(baseline, d) {
			return d, true
		}
	}
	return "", false
}
