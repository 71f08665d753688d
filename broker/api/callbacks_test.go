package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fedhealth/federation/broker/auth"
	"github.com/fedhealth/federation/broker/callbacks"
	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/sagas/sqldb/sqldbtest"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, contracts.ClinicEvent) error { return nil }

// withCallbacks is routedServer with region 78's callbacks, served by the
// API listener or (elsewhere) only by CallbackHandler.
func withCallbacks(t *testing.T, elsewhere bool) *Server {
	t.Helper()
	db, _ := sqldbtest.SQLite(t)
	store, err := callbacks.NewStore(context.Background(), db, false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := auth.NewPseudonymizer(bytes.Repeat([]byte{1}, 32))
	h, err := callbacks.New(callbacks.Config{Store: store, Publisher: nopPublisher{}, Keys: keys,
		Regions: []callbacks.Region{{Code: "78", Dialect: callbacks.JSONDialect, Secrets: []string{testSecret}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := routedServer(t)
	s.cfg.Callbacks, s.cfg.CallbacksElsewhere = h, elsewhere
	s.routes()
	return s
}

func postSigned(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := []byte(`{"type":"appointment.visited","timestamp":"2026-12-01T10:00:00Z","data":{"appointment_id":"A-1"}}`)
	wh, _ := standardwebhooks.NewWebhook(testSecret)
	now := time.Now()
	sig, _ := wh.Sign("msg-1", now, body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", "msg-1")
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTheCallbackRouteIsServedByOneListenerOnly(t *testing.T) {
	if s, b := postSigned(t, withCallbacks(t, false).Handler(), "/api/v1/callbacks/78"); s != http.StatusAccepted {
		t.Errorf("the API listener serving callbacks: %d %s, want 202", s, b)
	}
	apart := withCallbacks(t, true)
	if s, b := postSigned(t, apart.Handler(), "/api/v1/callbacks/78"); s != http.StatusNotFound || !strings.Contains(b, `"code":"not-found"`) {
		t.Errorf("the API listener beside a callback listener: %d %s, want the route gone", s, b)
	}
	if s, b := postSigned(t, apart.CallbackHandler(), "/api/v1/callbacks/78"); s != http.StatusAccepted {
		t.Errorf("the callback listener: %d %s, want 202", s, b)
	}
	if s, _ := postSigned(t, apart.CallbackHandler(), "/api/v1/bookings"); s != http.StatusNotFound {
		t.Errorf("the callback listener serves the citizens' API: %d", s)
	}
}
