package mishttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/fedhealth/federation/contracts"
)

// Config configures a Client. The region client's own config validates
// the values it takes from the operator; Validate here guards the rest.
type Config struct {
	// BearerToken is sent as "Authorization: Bearer ..." when set. Secret:
	// never in logs or errors.
	BearerToken string
	// CallTimeout bounds one attempt, the answer's body included.
	CallTimeout time.Duration
	// MaxBody bounds an answer's size in bytes.
	MaxBody int64
	// ReadAttempts is how many times a safe call is tried, the first
	// included. Other calls are tried once.
	ReadAttempts int
	// RetryWaitMin and RetryWaitMax bound the jittered backoff between
	// attempts of a safe call.
	RetryWaitMin, RetryWaitMax time.Duration
	// TLS, when set, configures TLS (a client certificate, a private CA).
	TLS *tls.Config
}

// Validate reports what is wrong with c, wrapping contracts.ErrInvalid.
func (c Config) Validate() error {
	if c.CallTimeout <= 0 || c.MaxBody <= 0 || c.ReadAttempts < 1 || c.RetryWaitMin <= 0 || c.RetryWaitMax < c.RetryWaitMin {
		return fmt.Errorf("mis http: call timeout, max body, read attempts and retry waits must be positive (wait max >= min): %w", contracts.ErrInvalid)
	}
	return nil
}

// Client sends a region client's requests. It is safe for concurrent use.
type Client struct {
	cfg       Config
	transport *http.Transport
	once      *http.Client          // calls that are never repeated
	safe      *retryablehttp.Client // calls the caller marks safe to repeat
}

// New validates cfg and returns a Client with its own connection pool.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	transport := NewTransport(cfg.TLS)
	c := &Client{cfg: cfg, transport: transport}
	c.once = &http.Client{Transport: transport, Timeout: cfg.CallTimeout, CheckRedirect: RefuseRedirects}
	c.safe = &retryablehttp.Client{
		// Timeout is per attempt: retryablehttp calls Do once per attempt.
		HTTPClient:   &http.Client{Transport: KeepIdle(transport), Timeout: cfg.CallTimeout, CheckRedirect: RefuseRedirects},
		Logger:       nil, // its default logger prints every request to stderr
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.ReadAttempts - 1,
		CheckRetry:   RetrySafe,
		Backoff:      retryablehttp.LinearJitterBackoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

// Close releases idle connections; later calls open new ones.
func (c *Client) Close() error {
	c.transport.CloseIdleConnections()
	return nil
}

// Answer is an HTTP answer read whole.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// NoAnswerError is a call whose answer never arrived whole: the request
// failed in transport, or its body broke off or ran past CallTimeout.
type NoAnswerError struct {
	// MaybeSent is false only when the request cannot have reached the
	// MIS (the connection was never made).
	MaybeSent bool
	Err       error
}

func (e *NoAnswerError) Error() string { return "no answer: " + e.Err.Error() }

// Unwrap returns the transport's error.
func (e *NoAnswerError) Unwrap() error { return e.Err }

// ErrTooLarge is an answer longer than Config.MaxBody; it is not read on.
var ErrTooLarge = errors.New("answer larger than the size limit")

// Post sends body to url with header (the dialect's own: Content-Type,
// SOAPAction, Accept, ...) plus the bearer token and the correlation id
// of ctx, and reads the answer whole. safe marks a call that may be
// repeated (a read): it is tried up to ReadAttempts times while the
// transport fails or the server answers 429, 502, 503 or 504; any other
// call is sent once. Errors: *NoAnswerError, an error wrapping
// ErrTooLarge, or one of building the request.
func (c *Client) Post(ctx context.Context, url string, body []byte, header http.Header, safe bool) (Answer, error) {
	resp, err := c.send(ctx, url, body, header, safe)
	if err != nil {
		return Answer{}, &NoAnswerError{MaybeSent: MayHaveBeenSent(err), Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	switch {
	case err != nil: // a truncated body, a timeout while reading
		return Answer{}, &NoAnswerError{MaybeSent: true, Err: fmt.Errorf("read answer: %w", err)}
	case int64(len(raw)) > c.cfg.MaxBody:
		return Answer{}, fmt.Errorf("HTTP %d: %w (%d bytes)", resp.StatusCode, ErrTooLarge, c.cfg.MaxBody)
	}
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

func (c *Client) send(ctx context.Context, url string, body []byte, header http.Header, safe bool) (*http.Response, error) {
	if safe {
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, url, body)
		if err != nil {
			return nil, err
		}
		c.setHeaders(ctx, req.Header, header)
		return c.safe.Do(req)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	c.setHeaders(ctx, req.Header, header)
	return c.once.Do(req)
}

func (c *Client) setHeaders(ctx context.Context, h, own http.Header) {
	for k, v := range own {
		h[k] = v
	}
	if c.cfg.BearerToken != "" {
		h.Set("Authorization", "Bearer "+c.cfg.BearerToken)
	}
	// The clinic's logs can then be matched with the citizen's request.
	if id := contracts.CorrelationID(ctx); id != "" {
		h.Set(contracts.HeaderCorrelationID, id)
	}
}

// RetrySafe is the retry rule of safe calls: repeat when the connection
// failed or the server said "not now" (429, 502, 503, 504). Any other
// answer is the MIS's, and final: a SOAP fault or JSON-RPC error comes
// with 500 from some servers, which retryablehttp's default would repeat.
func RetrySafe(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return true, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}
