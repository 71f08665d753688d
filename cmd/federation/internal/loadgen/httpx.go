package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// newHTTPClient is one client for the whole run, its idle pool sized for
// the bookings in flight so connections are reused, never churned.
func newHTTPClient(concurrency int) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        concurrency*2 + 32,
		MaxIdleConnsPerHost: concurrency + 16,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: tr}
}

// statusError is an answer outside 2xx: its status and the stable code the
// body carries (the API's problem code or the MIS's refusal/issue code).
type statusError struct {
	op     string
	status int
	code   string
}

func (e *statusError) Error() string {
	if e.code == "" {
		return fmt.Sprintf("%s: http %d", e.op, e.status)
	}
	return fmt.Sprintf("%s: http %d %s", e.op, e.status, e.code)
}

// transportError is a request that got no answer.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// call sends one request; a non-2xx answer is a *statusError, no answer a
// *transportError. out, when not nil, receives the JSON body.
func call(ctx context.Context, c *http.Client, op, method, url string, header http.Header, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return &transportError{op: op, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return &transportError{op: op, err: err}
	}
	if resp.StatusCode/100 != 2 {
		return &statusError{op: op, status: resp.StatusCode, code: errorCode(data)}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s: decode answer: %w", op, err)
		}
	}
	return nil
}

// errorCode finds the stable code of an error body: a problem document's
// "code", or an OperationOutcome's refusal code or issue type.
func errorCode(body []byte) string {
	var v struct {
		Code  string `json:"code"`
		Issue []struct {
			Code    string `json:"code"`
			Details *struct {
				Coding []struct{ Code string } `json:"coding"`
			} `json:"details"`
		} `json:"issue"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	if v.Code != "" || len(v.Issue) == 0 {
		return v.Code
	}
	if d := v.Issue[0].Details; d != nil && len(d.Coding) > 0 {
		return d.Coding[0].Code
	}
	return v.Issue[0].Code
}

// kindOf names what went wrong in few enough words that errors group into
// a handful of kinds rather than one per request.
func kindOf(err error) string {
	var se *statusError
	var te *transportError
	switch {
	case errors.As(err, &se):
		return se.Error()
	case !errors.As(err, &te):
		return err.Error()
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return te.op + ": transport timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return te.op + ": connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return te.op + ": connection reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return te.op + ": connection closed"
	}
	return te.op + ": transport error"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
