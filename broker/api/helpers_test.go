package api

import (
	"context"
	"encoding/json"
	"github.com/fedhealth/federation/broker/analytics"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/fedhealth/federation/broker/auth"
)

// routedServer is a Server with every route mounted (demo token
// included) but no use cases behind them: enough for what the
// router, the documents and the problem pages answer, which is all these
// tests ask of it. Handlers that reach the bookings service are never
// called here; the component tests (cmd/federation/internal/system) call
// them on a whole system.
func routedServer(t *testing.T) *Server {
	t.Helper()
	dev, err := auth.NewDevIssuer("http://127.0.0.1/dev-idp", "federal-portal")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := loadDocuments()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := renderProblemPages()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{DevIssuer: dev, Ready: func(context.Context) error { return nil }, Analytics: &analytics.Service{}},
		logger: slog.New(slog.DiscardHandler), docs: docs, problemPages: pages}
	s.routes()
	return s
}

// pathParam matches a path template's parameters, for filling them in.
var pathParam = regexp.MustCompile(`\{[^}]+\}`)

func do(t *testing.T, method, url string) (*http.Response, problem) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var pr problem
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
			t.Errorf("%s %s: problem body: %v", method, url, err)
		}
	}
	return resp, pr
}
