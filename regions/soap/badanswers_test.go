package soap_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/soap"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// oneMO names the organisation the scripted searches ask for: one
// GetScheduleInfo, no directory call.
const oneMO = "1.2.643.5.1.13.13.12.2.25.1"

// brokenMIS answers each method with a scripted handler and counts calls.
type brokenMIS struct {
	mu    sync.Mutex
	calls map[string]int
	by    map[string]http.HandlerFunc
}

func (b *brokenMIS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(strings.Trim(r.Header.Get("SOAPAction"), `"`), soap.Namespace+"/")
	b.mu.Lock()
	b.calls[method]++
	h := b.by[method]
	b.mu.Unlock()
	if h == nil {
		http.Error(w, "unscripted", http.StatusTeapot)
		return
	}
	h(w, r)
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", soap.ContentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func envelope(t *testing.T, payload any) string {
	b, err := soap.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// truncated promises more bytes than it sends, then drops the connection.
func truncated(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`<soap:Envelope xmlns:soap="`))
	if hj, ok := w.(http.Hijacker); ok {
		conn, _, _ := hj.Hijack()
		conn.Close()
	}
}

// endless streams an envelope that never ends, until the client leaves.
func endless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", soap.ContentType)
	_, _ = w.Write([]byte(`<soap:Envelope xmlns:soap="` + soap.EnvelopeNamespace + `"><soap:Body>`))
	chunk := []byte(strings.Repeat("<x/>", 1024))
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func TestBadAnswersGiveClearErrors(t *testing.T) {
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	session := envelope(t, &soap.GetPatientInfoResponse{SessionID: "SID-1"})
	unknownFault := string(soap.MarshalFault(false, "SOMETHING_NEW", "Иванов И. И. is unknown"))
	huge := `<soap:Envelope xmlns:soap="` + soap.EnvelopeNamespace + `"><soap:Body>` + strings.Repeat(" ", 5<<20)
	cases := []struct {
		name, method string
		handler      http.HandlerFunc
		kind         contracts.Kind
		says         string
		attempts     int
	}{
		{"malformed XML in a search", soap.MethodGetScheduleInfo, answer(200, `<soap:Envelope xmlns:soap="`+soap.EnvelopeNamespace+`"><soap:Body><Get`), contracts.KindUnavailable, "not a SOAP", 1},
		{"an HTML page instead of SOAP", soap.MethodGetScheduleInfo, answer(200, `<html><body>gateway</body></html>`), contracts.KindUnavailable, "root element is html", 1},
		{"a fault with an unknown code", soap.MethodGetScheduleInfo, answer(500, unknownFault), contracts.KindInternal, `unknown code "SOMETHING_NEW"`, 1},
		{"a huge answer", soap.MethodGetScheduleInfo, answer(200, huge), contracts.KindUnavailable, "larger than", 1},
		{"an endless answer", soap.MethodGetScheduleInfo, endless, contracts.KindUnavailable, "larger than", 1},
		{"a fault that does not decode", soap.MethodGetScheduleInfo, answer(500, `<soap:Envelope xmlns:soap="`+soap.EnvelopeNamespace+`"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><detail>`), contracts.KindUnavailable, "fault does not decode", 1},
		{"an empty Body", soap.MethodGetScheduleInfo, answer(200, `<soap:Envelope xmlns:soap="`+soap.EnvelopeNamespace+`"><soap:Body></soap:Body></soap:Envelope>`), contracts.KindUnavailable, "where an element was expected", 1},
		{"a truncated search answer", soap.MethodGetScheduleInfo, truncated, contracts.KindUnavailable, "read answer", 1},
		{"a gateway's 503 is retried for reads", soap.MethodGetScheduleInfo, answer(503, "busy"), contracts.KindUnavailable, "HTTP 503", 3},
		{"a truncated CreateAppointment answer", soap.MethodCreateAppointment, truncated, contracts.KindOutcomeUnknown, "read answer", 1},
		{"malformed XML after CreateAppointment", soap.MethodCreateAppointment, answer(200, `<soap:Envelope`), contracts.KindOutcomeUnknown, "not a SOAP", 1},
		{"a 502 to CreateAppointment is never retried", soap.MethodCreateAppointment, answer(502, "bad gateway"), contracts.KindOutcomeUnknown, "HTTP 502", 1},
		{"a wrong response element", soap.MethodCreateAppointment, answer(200, envelope(t, &soap.CancelAppointmentResponse{BookID: "B-1"})), contracts.KindOutcomeUnknown, "expected element", 1},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mis := &brokenMIS{calls: map[string]int{}, by: map[string]http.HandlerFunc{
				soap.MethodGetPatientInfo: answer(200, session),
				tc.method:                 tc.handler,
			}}
			srv := httptest.NewServer(mis)
			defer srv.Close()
			c := newClient(t, srv.URL+"/", l, nil)
			if tc.method == soap.MethodCreateAppointment {
				_, err = c.Hold(context.Background(), contracts.HoldRequest{SlotID: "SL-1", Patient: patient(1), IdempotencyKey: "bad/" + pad4(i)})
			} else {
				_, err = c.SearchSlots(context.Background(), contracts.SlotQuery{FacilityID: oneMO})
			}
			wantKind(t, tc.name, err, tc.kind)
			if !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %q does not say %q", err, tc.says)
			}
			if strings.Contains(err.Error(), "Иванов") {
				t.Fatalf("error %q quotes the fault's text", err)
			}
			if got := mis.calls[tc.method]; got != tc.attempts {
				t.Fatalf("%s called %d times, want %d", tc.method, got, tc.attempts)
			}
		})
	}
}

func TestSlotsInAnotherOffsetAreRefusedAndCountedForOperators(t *testing.T) {
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	good := soap.ScheduleSlot{SlotID: "SL-1", Start: "2026-12-03T09:00:00+10:00", End: "2026-12-03T09:20:00+10:00", State: soap.SlotFree}
	shifted := soap.ScheduleSlot{SlotID: "SL-2", Start: "2026-12-03T09:00:00+07:00", End: "2026-12-03T09:20:00+07:00", State: soap.SlotFree}
	mis := &brokenMIS{calls: map[string]int{}, by: map[string]http.HandlerFunc{
		soap.MethodGetScheduleInfo: answer(200, envelope(t, &soap.GetScheduleInfoResponse{Slots: []soap.ScheduleSlot{good, shifted}})),
	}}
	srv := httptest.NewServer(mis)
	defer srv.Close()
	c := newClient(t, srv.URL+"/", l, nil)
	slots, err := c.SearchSlots(context.Background(), contracts.SlotQuery{FacilityID: oneMO})
	if err != nil || len(slots) != 1 || slots[0].ID != "SL-1" {
		t.Fatalf("search: %+v %v, want only the slot in the region's offset", slots, err)
	}
	rep := c.SlotOffsetMismatches()
	if rep.Count != 2 || rep.Last.SlotID != "SL-2" || rep.Last.Got != "+07:00" || rep.Last.Want != "+10:00" {
		t.Errorf("report %+v, want the shifted slot's start and end counted, +07:00 against +10:00", rep)
	}
}
