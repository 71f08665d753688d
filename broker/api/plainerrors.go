package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// ProblemListener wraps the server's listener so that the answers net/http
// writes by itself, before any handler runs (a request it cannot parse,
// headers over http.Server.MaxHeaderBytes, an unknown Transfer-Encoding,
// an HTTP version it does not speak, an Expect it does not support), go out
// as problem+json like every other answer, not as plain text. Hand-written
// because net/http has no hook for them: it writes fixed responses
// straight to the connection, which is where they are recognised.
//
// Wrap the plain TCP listener. net/http speaks TLS only on a *tls.Conn of
// its own, so behind TLS in the binary the wrapper sees ciphertext and
// leaves it alone (except the plain answer to an HTTP request on the TLS
// port, which it does rewrite); behind a TLS-terminating proxy it sees all.
func ProblemListener(ln net.Listener) net.Listener { return problemListener{ln} }

type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &problemConn{Conn: c}, nil
}

// problemConn rewrites net/http's fixed plain-text answers as they are
// written. Each is written whole, in one Write call, and none can be
// mistaken for a handler's answer: net/http sorts a handler's header
// fields (Connection before Content-Type) and always adds Date.
type problemConn struct{ net.Conn }

func (c *problemConn) Write(p []byte) (int, error) {
	out, ok := rewritePlainError(p)
	if !ok {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CloseWrite passes on the half-close net/http uses after its 431 answer,
// so the client reads the answer before the connection goes.
func (c *problemConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// goErrorHeaders follow the status line of every fixed answer of
// net/http's conn.serve (Go 1.22 to 1.26 at least).
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// goHTTPSOnPlain is net/http's whole answer to plain HTTP on a TLS port.
const goHTTPSOnPlain = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"

// goExpectationFailed starts net/http's answer to an unsupported Expect
// header, written through the normal response path with no body.
const goExpectationFailed = "HTTP/1.1 417 Expectation Failed\r\n"

// plainErrorProblems are the problems of net/http's fixed answers, by status.
var plainErrorProblems = map[int]problemType{
	http.StatusBadRequest: {http.StatusBadRequest, "invalid-request", "The request is not valid",
		"The HTTP request could not be parsed.", ""},
	http.StatusExpectationFailed: {http.StatusExpectationFailed, "expectation-failed", "Expectation not supported",
		"Only the Expect value 100-continue is supported.", ""},
	http.StatusRequestHeaderFieldsTooLarge: headersTooLarge,
	http.StatusNotImplemented: {http.StatusNotImplemented, "not-implemented", "Not implemented by this server",
		"The request's Transfer-Encoding is not supported.", ""},
	http.StatusHTTPVersionNotSupported: {http.StatusHTTPVersionNotSupported, "http-version-unsupported",
		"HTTP version not supported", "The request's HTTP version is not supported.", ""},
}

var httpsOnPlain = problemType{http.StatusBadRequest, "invalid-request", "The request is not valid",
	"This port speaks HTTPS; send the request over TLS.", ""}

// rewritePlainError returns the problem+json answer for p when p is one of
// net/http's fixed plain-text answers, whole.
func rewritePlainError(p []byte) ([]byte, bool) {
	switch {
	case string(p) == goHTTPSOnPlain:
		return problemResponse(httpsOnPlain), true
	case bytes.HasPrefix(p, []byte(goExpectationFailed)) && bytes.HasSuffix(p, []byte("\r\nContent-Length: 0\r\n\r\n")):
		return problemResponse(plainErrorProblems[http.StatusExpectationFailed]), true
	case !bytes.HasPrefix(p, []byte("HTTP/1.1 ")):
		return nil, false
	}
	line, _, ok := bytes.Cut(p, []byte(goErrorHeaders))
	if !ok || bytes.ContainsAny(line, "\r\n") || len(line) < len("HTTP/1.1 400") {
		return nil, false
	}
	status, err := strconv.Atoi(string(line[len("HTTP/1.1 "):len("HTTP/1.1 400")]))
	if err != nil {
		return nil, false
	}
	pt, ok := plainErrorProblems[status]
	if !ok {
		return nil, false // a status net/http did not answer with when this was written
	}
	return problemResponse(pt), true
}

// problemResponse is a whole HTTP/1.1 answer with pt's problem, closing
// the connection as net/http's own answer would.
func problemResponse(pt problemType) []byte {
	body, _ := json.Marshal(pt.problem(pt.detail))
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nCache-Control: no-store\r\nConnection: close\r\n"+
		"Content-Length: %d\r\nContent-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\n\r\n%s",
		pt.status, http.StatusText(pt.status), len(body), body)
}
