package jsonrpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/fedhealth/federation/regions/mishttp"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/jsonrpc"
	"github.com/fedhealth/federation/sagas/ledger"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
)

// fakeMIS answers every call with answer(the call's id), on loopback.
func fakeMIS(t *testing.T, answer func(w http.ResponseWriter, id string)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req jsonrpc.Request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("the adapter sent a body that is not JSON: %v", err)
		}
		if req.JSONRPC != "2.0" || req.Method == "" || len(req.ID) == 0 {
			t.Errorf("the adapter sent %+v, not a JSON-RPC 2.0 call", req)
		}
		answer(w, string(req.ID))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func body(format string) func(http.ResponseWriter, string) {
	return func(w http.ResponseWriter, id string) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, strings.ReplaceAll(format, "ID", id))
	}
}

func status(code int, text string) func(http.ResponseWriter, string) {
	return func(w http.ResponseWriter, _ string) { http.Error(w, text, code) }
}

func rpcError(code int) func(http.ResponseWriter, string) {
	return body(fmt.Sprintf(`{"jsonrpc":"2.0","id":ID,"error":{"code":%d,"message":"Иванов Иван, 1985-03-14: no"}}`, code))
}

func testLedger(t *testing.T) *ledger.Store {
	t.Helper()
	db, _ := sqldbtest.SQLite(t)
	l, err := ledger.New(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestBadAnswersAreClearErrorsBoundedBySizeAndTime(t *testing.T) {
	l := testLedger(t)
	tests := []struct {
		name     string
		answer   func(http.ResponseWriter, string)
		read     contracts.Kind // of a search
		change   contracts.Kind // of a cancel
		protocol bool           // the error is ErrNotJSONRPC
	}{
		{"an answer to another call's id", body(`{"jsonrpc":"2.0","id":999999,"result":{"scheduleOfDay":[]}}`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
		{"an answer with both result and error", body(`{"jsonrpc":"2.0","id":ID,"result":{},"error":{"code":1001,"message":"x"}}`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
		{"an answer with neither result nor error", body(`{"jsonrpc":"2.0","id":ID}`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
		{"a null result", body(`{"jsonrpc":"2.0","id":ID,"result":null}`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
		{"a batch answer to a single call", body(`[{"jsonrpc":"2.0","id":ID,"result":{}}]`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
		{"malformed JSON", body(`{"jsonrpc":"2.0","id":ID,"result":{"scheduleOfDay":[}`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
		{"another JSON-RPC version", body(`{"jsonrpc":"1.0","id":ID,"result":{}}`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
		{"a result of the wrong shape", body(`{"jsonrpc":"2.0","id":ID,"result":{"scheduleOfDay":"soon","status":7}}`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
		{"a truncated body", func(w http.ResponseWriter, id string) {
			w.Header().Set("Content-Length", "4096")
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":{"schedu`, id)
		}, contracts.KindUnavailable, contracts.KindOutcomeUnknown, false},
		{"a body larger than max_body", func(w http.ResponseWriter, id string) {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":{"pad":"%s"}}`, id, strings.Repeat("x", 8<<10))
		}, contracts.KindUnavailable, contracts.KindOutcomeUnknown, false},
		{"an endless body", func(w http.ResponseWriter, id string) {
			fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"result":{"pad":"`, id)
			for range 100 {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				time.Sleep(20 * time.Millisecond)
			}
		}, contracts.KindUnavailable, contracts.KindOutcomeUnknown, false},
		{"an error code the adapter does not know", rpcError(4242), contracts.KindInternal, contracts.KindInternal, false},
		{"an internal error", rpcError(jsonrpc.CodeInternalError), contracts.KindUnavailable, contracts.KindOutcomeUnknown, false},
		{"an internal error with a null id and HTTP 500", func(w http.ResponseWriter, _ string) {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"boom"}}`)
		}, contracts.KindUnavailable, contracts.KindOutcomeUnknown, false},
		{"a bare HTTP 500", status(http.StatusInternalServerError, "oops"), contracts.KindUnavailable, contracts.KindOutcomeUnknown, false},
		{"a bare HTTP 503 (the MIS is down: nothing was taken)", status(http.StatusServiceUnavailable, "down"), contracts.KindUnavailable, contracts.KindUnavailable, false},
		{"an HTML error page with 200", body(`<html>maintenance</html>`), contracts.KindUnavailable, contracts.KindOutcomeUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			url := fakeMIS(t, tt.answer)
			c, err := jsonrpc.New(jsonrpc.Config{Region: moscow, EndpointConfig: mishttp.EndpointConfig{Endpoint: url, CallTimeout: 300 * time.Millisecond, MaxBody: 4 << 10, ReadAttempts: 1}}, l, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, rerr := c.SearchSlots(context.Background(), contracts.SlotQuery{})
			_, cerr := c.Cancel(context.Background(), "700000001", "k")
			if got := contracts.KindOf(rerr); rerr == nil || got != tt.read {
				t.Errorf("search: %v (kind %v), want kind %v", rerr, got, tt.read)
			}
			if got := contracts.KindOf(cerr); cerr == nil || got != tt.change {
				t.Errorf("cancel: %v (kind %v), want kind %v", cerr, got, tt.change)
			}
			if tt.protocol && (!errors.Is(rerr, jsonrpc.ErrNotJSONRPC) || !errors.Is(cerr, jsonrpc.ErrNotJSONRPC)) {
				t.Errorf("search %v, cancel %v: want ErrNotJSONRPC", rerr, cerr)
			}
			for _, err := range []error{rerr, cerr} {
				if err != nil && (strings.Contains(err.Error(), "Иванов") || strings.Contains(err.Error(), "1985")) {
					t.Errorf("the error quotes the MIS's message: %v", err)
				}
			}
		})
	}
}

func TestErrorCodesMapToTheirKinds(t *testing.T) {
	l := testLedger(t)
	for code, want := range map[int]error{
		jsonrpc.CodeSlotTaken: contracts.ErrSlotTaken, jsonrpc.CodeNotAttached: contracts.ErrNotAttached,
		jsonrpc.CodeReferralRequired: contracts.ErrReferralRequired, jsonrpc.CodePatientUnknown: contracts.ErrInvalid,
		jsonrpc.CodeAppointmentUnknown: contracts.ErrNotFound, jsonrpc.CodeSlotUnknown: contracts.ErrNotFound,
		jsonrpc.CodeBusy: contracts.ErrRegionUnavailable, jsonrpc.CodeInvalidParams: contracts.ErrInvalid,
		jsonrpc.CodeMethodNotFound: contracts.ErrInvalid, jsonrpc.CodeParseError: contracts.ErrInvalid,
		jsonrpc.CodeInvalidRequest: contracts.ErrInvalid,
	} {
		t.Run(fmt.Sprint("code ", code, " is ", want), func(t *testing.T) {
			c := newClient(t, fakeMIS(t, rpcError(code)), l)
			if _, err := c.Cancel(context.Background(), "700000001", "k"); !errors.Is(err, want) {
				t.Fatalf("cancel: %v, want %v", err, want)
			}
		})
	}
}

func TestTransportFailuresOfStateChangingCalls(t *testing.T) {
	l := testLedger(t)
	t.Run("a timeout of a cancel is an unknown outcome", func(t *testing.T) {
		c := newClient(t, fakeMIS(t, func(http.ResponseWriter, string) { time.Sleep(time.Second) }), l)
		if _, err := c.Cancel(context.Background(), "700000001", "k"); !errors.Is(err, contracts.ErrOutcomeUnknown) {
			t.Fatalf("cancel: %v, want ErrOutcomeUnknown", err)
		}
	})
	t.Run("a connection refused before sending is unavailability, not an unknown outcome", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c := newClient(t, "http://"+addr+"/", l)
		_, err = c.Cancel(context.Background(), "700000001", "k")
		if !errors.Is(err, contracts.ErrRegionUnavailable) || errors.Is(err, contracts.ErrOutcomeUnknown) {
			t.Fatalf("cancel: %v, want ErrRegionUnavailable only", err)
		}
	})
	t.Run("a hold cut off mid-answer is an unknown outcome, its intent recorded", func(t *testing.T) {
		c := newClient(t, fakeMIS(t, func(w http.ResponseWriter, _ string) {
			w.Header().Set("Content-Length", "100")
			fmt.Fprint(w, `{"jsonrpc":"2.0"`)
		}), l)
		slot := jsonrpc.SlotID("3001", time.Now().Add(48*time.Hour).Truncate(time.Minute), time.Now().Add(48*time.Hour+20*time.Minute).Truncate(time.Minute))
		_, err := c.Hold(context.Background(), contracts.HoldRequest{SlotID: slot, Patient: patient, IdempotencyKey: "cut-off"})
		if !errors.Is(err, contracts.ErrOutcomeUnknown) {
			t.Fatalf("hold: %v, want ErrOutcomeUnknown", err)
		}
		if got, _, id, err := l.Get(context.Background(), moscow.Code, "cut-off"); err != nil || got != slot || id != "" {
			t.Fatalf("ledger: slot %q id %q %v, want the intent on %s", got, id, err, slot)
		}
	})
}
