package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
)

// excerptLen bounds how much of an answer evidence quotes.
const excerptLen = 500

// maxAnswer bounds an answer the raw checks read.
const maxAnswer = 8 << 20

// rawClient makes the raw calls of the checks the adapter would hide.
type rawClient struct {
	hc    *http.Client
	token string
	rec   *kit.Recorder
}

// exchange is one raw call and its answer, read in full.
type exchange struct {
	line   string // "POST /soap GetScheduleInfo"
	status int
	header http.Header
	body   []byte
}

// String is the exchange as evidence shows it.
func (e exchange) String() string {
	b := e.body
	more := ""
	if len(b) > excerptLen {
		b, more = b[:excerptLen], "…"
	}
	return fmt.Sprintf("%s → %d: %s%s", e.line, e.status, b, more)
}

// do sends one request; op names it in the latency table and the
// evidence. A transport failure ends the requirement.
func (w *rawClient) do(t kit.T, ctx context.Context, method, url, op string, header http.Header, body []byte) exchange {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if w.token != "" {
		req.Header.Set("Authorization", "Bearer "+w.token)
	}
	line := method + " " + req.URL.RequestURI() + " " + op
	start := time.Now()
	resp, err := w.hc.Do(req)
	if err != nil {
		w.rec.Record(op, time.Since(start))
		t.Fatalf("%s: the MIS did not answer: %v", line, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	w.rec.Record(op, time.Since(start))
	if err != nil {
		t.Fatalf("%s: reading the answer: %v", line, err)
	}
	return exchange{line: line, status: resp.StatusCode, header: resp.Header, body: b}
}

// anonymous is the same client without the bearer token, for the checks
// that the MIS refuses calls without it.
func (w *rawClient) anonymous() *rawClient {
	c := *w
	c.token = ""
	return &c
}

// refusedWithoutToken checks that a call without the token is answered
// 401; skipped when the target is checked without one.
func refusedWithoutToken(t kit.T, w *rawClient, call func(*rawClient) exchange) {
	t.Helper()
	if w.token == "" {
		t.Skip("no bearer token given: the MIS is checked without authentication")
	}
	if ex := call(w.anonymous()); ex.status != http.StatusUnauthorized {
		t.Errorf("a call without the bearer token was answered %d, want 401; %s", ex.status, ex)
	}
}
