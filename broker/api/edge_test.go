package api

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// edgeServer serves the routed API as the binary does: behind Edge, on
// ProblemListener, with ServerMaxHeaderBytes.
func edgeServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(Edge(routedServer(t).Handler()))
	srv.Listener = ProblemListener(srv.Listener)
	srv.Config.MaxHeaderBytes = ServerMaxHeaderBytes
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestEveryAnswerIsNosniffAndNotCachedUnlessPublic(t *testing.T) {
	srv := edgeServer(t)
	cases := []struct{ name, method, path, cache string }{
		{"a probe", http.MethodGet, "/healthz", "no-store"},
		{"a citizen endpoint refused for want of a token", http.MethodGet, "/api/v1/bookings", "no-store"},
		{"a path nobody serves", http.MethodGet, "/nowhere", "no-store"},
		{"a method the path does not serve", http.MethodDelete, "/api/v1/regions", "no-store"},
		{"the API's document", http.MethodGet, "/api/v1/openapi.json", "public, max-age=300"},
		{"a problem page", http.MethodGet, "/problems/slot-taken", "public, max-age=3600"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := do(t, c.method, srv.URL+c.path)
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Cache-Control") != c.cache {
				t.Errorf("nosniff %q, Cache-Control %q; want nosniff and %q", resp.Header.Get("X-Content-Type-Options"),
					resp.Header.Get("Cache-Control"), c.cache)
			}
			if resp.Header.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS on plain HTTP, where it means nothing")
			}
		})
	}
}

func TestAnswersOverTLSCarryHSTS(t *testing.T) {
	srv := httptest.NewTLSServer(Edge(routedServer(t).Handler()))
	defer srv.Close()
	for _, path := range []string{"/healthz", "/nowhere"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
			t.Errorf("%s over TLS: Strict-Transport-Security %q, want max-age", path, got)
		}
	}
}

func TestAProblemPageAllowsOnlyItsOwnOriginAndStyle(t *testing.T) {
	srv := edgeServer(t)
	resp, err := http.Get(srv.URL + "/problems/slot-taken")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'self';") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q, want default-src 'self' and no framing", csp)
	}
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllSubmatch(body, -1)
	if len(styles) == 0 {
		t.Fatal("the page has no style element; the test looks at the wrong page")
	}
	for _, st := range styles {
		sum := sha256.Sum256(st[1])
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("the page's inline style (hash %s) is not allowed by %q: browsers would drop it", h, csp)
		}
	}
}

func TestHeadersOverTheLimitGetA431Problem(t *testing.T) {
	srv := edgeServer(t)
	for name, size := range map[string]int{
		"just over the API's limit (the middleware answers)":        MaxHeaderBytes + 100,
		"over the server's own limit (net/http answers, rewritten)": ServerMaxHeaderBytes + 8<<10,
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/healthz", nil)
			req.Header.Set("X-Padding", strings.Repeat("p", size))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			pr := readProblem(t, resp)
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || pr.Code != "headers-too-large" {
				t.Errorf("%d %+v, want 431 headers-too-large", resp.StatusCode, pr)
			}
		})
	}
	if resp, _ := do(t, http.MethodGet, srv.URL+"/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("an ordinary request: %d, want 200", resp.StatusCode)
	}
}

func readProblem(t *testing.T, resp *http.Response) problem {
	t.Helper()
	defer resp.Body.Close()
	var pr problem
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
		return pr
	}
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
		t.Errorf("problem body: %v", err)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
	return pr
}

// raw writes request as it is on a new connection and reads the answer.
func raw(t *testing.T, addr, request string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%q: answer unreadable: %v", request, err)
	}
	return resp
}

func TestTheAnswersNetHTTPWritesItselfAreProblems(t *testing.T) {
	srv := edgeServer(t)
	addr := srv.Listener.Addr().String()
	cases := []struct {
		name, request string
		status        int
		code          string
	}{
		{"a request line that does not parse", "GET /healthz\r\n\r\n", 400, "invalid-request"},
		{"a request without Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "invalid-request"},
		{"a header name that is not a token", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400, "invalid-request"},
		{"an unknown transfer coding", "POST /api/v1/dev/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "not-implemented"},
		{"an HTTP version it does not speak", "GET /healthz HTTP/2.5\r\nHost: x\r\n\r\n", 505, "http-version-unsupported"},
		{"an expectation it does not support", "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n", 417, "expectation-failed"},
		{"plain HTTP on a TLS port (its fixed answer)", goHTTPSOnPlain, 400, "invalid-request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var resp *http.Response
			if c.request == goHTTPSOnPlain { // written by net/http to the raw conn under TLS
				out, ok := rewritePlainError([]byte(goHTTPSOnPlain))
				if !ok {
					t.Fatal("not rewritten")
				}
				var err error
				if resp, err = http.ReadResponse(bufio.NewReader(strings.NewReader(string(out))), nil); err != nil {
					t.Fatal(err)
				}
			} else {
				resp = raw(t, addr, c.request)
			}
			pr := readProblem(t, resp)
			if resp.StatusCode != c.status || pr.Code != c.code || pr.Status != c.status || pr.Detail == "" {
				t.Errorf("%d %+v, want %d %s", resp.StatusCode, pr, c.status, c.code)
			}
		})
	}
	t.Run("a well-formed request on the same listener is untouched", func(t *testing.T) {
		resp := raw(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
			t.Errorf("%d %s, want 200 ok", resp.StatusCode, body)
		}
	})
}

func TestTheStartingAnswerIsAProblemWithRetryAfter(t *testing.T) {
	srv := httptest.NewServer(Edge(Starting()))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/regions")
	if err != nil {
		t.Fatal(err)
	}
	pr := readProblem(t, resp)
	if resp.StatusCode != http.StatusServiceUnavailable || pr.Code != "starting" || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("%d %+v Retry-After %q, want 503 starting with Retry-After 1", resp.StatusCode, pr, resp.Header.Get("Retry-After"))
	}
}
