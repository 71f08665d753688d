package jsonrpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/fedhealth/federation/contracts"
)

// Client implements contracts.MIS over the city JSON-RPC API for one
// region, supplying hold and idempotency through its Ledger. It is safe
// for concurrent use.
type Client struct {
	cfg       Config
	loc       *time.Location
	ledger    Ledger
	log       *slog.Logger
	transport *http.Transport
	once      *http.Client          // calls that are never repeated
	reads     *retryablehttp.Client // the two safe reads
	ids       atomic.Uint64         // JSON-RPC request ids
	steps     stepLocks
	patients  *patients
}

var _ contracts.MIS = (*Client)(nil)

// New validates cfg and returns a Client whose holds are recorded in
// ledger. A nil logger discards.
func New(cfg Config, ledger Ledger, logger *slog.Logger) (*Client, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if ledger == nil {
		return nil, fmt.Errorf("jsonrpc client for region %s: a ledger is required: %w", cfg.Region.Code, contracts.ErrInvalid)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, _ := time.LoadLocation(cfg.Region.TimeZone) // Validate checked it
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: 3 * time.Second,
		MaxIdleConns:        64, // enough warm connections for the breaker's concurrency limit
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
	once := &http.Client{
		Transport: transport,
		Timeout:   cfg.CallTimeout,
		// The endpoint comes only from configuration; a redirect could send
		// patient identifiers elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c := &Client{cfg: cfg, loc: loc, ledger: ledger, log: logger.With("region", cfg.Region.Code), transport: transport,
		once: once, patients: newPatients(cfg.PatientMemorySize, cfg.PatientMemory)}
	c.reads = &retryablehttp.Client{
		HTTPClient:   once,
		Logger:       nil, // its default logger prints every request to stderr
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.ReadAttempts - 1,
		CheckRetry:   retryRead,
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

// Region returns the region this client serves.
func (c *Client) Region() contracts.Region { return c.cfg.Region }

// retryRead repeats a safe read when the region said "not now" or the
// connection failed. A JSON-RPC error is the MIS's answer and final (it
// comes with HTTP 200, or 500 from some servers, which retryablehttp's
// default would repeat).
func retryRead(ctx context.Context, resp *http.Response, err error) (bool, error) {
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

// changes reports whether method changes state at the MIS: when its
// answer is lost the outcome is unknown.
func changes(method string) bool {
	return method == MethodCreate || method == MethodCancel || method == MethodShift
}

// call sends method with params and decodes its result into out. Every
// error wraps one contracts sentinel, or is of kind internal for an error
// code outside the vocabulary.
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	id := []byte(fmt.Sprint(c.ids.Add(1)))
	body, err := encodeRequest(id, method, params)
	if err != nil {
		return c.errorf(method, "encode request: %v: %w", err, contracts.ErrInvalid)
	}
	resp, err := c.post(ctx, method, body)
	if err != nil {
		return c.lost(method, mayHaveBeenSent(err), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	switch {
	case err != nil: // a truncated body, a timeout while reading
		return c.lost(method, true, fmt.Errorf("read answer: %w", err))
	case int64(len(raw)) > c.cfg.MaxBody:
		return c.broken(method, fmt.Errorf("answer larger than %d bytes", c.cfg.MaxBody))
	}
	return c.decode(method, id, resp.StatusCode, raw, out)
}

func (c *Client) post(ctx context.Context, method string, body []byte) (*http.Response, error) {
	if !changes(method) {
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.cfg.Endpoint, body)
		if err != nil {
			return nil, err
		}
		c.setHeaders(ctx, req.Header)
		return c.reads.Do(req)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	c.setHeaders(ctx, req.Header)
	return c.once.Do(req)
}

func (c *Client) setHeaders(ctx context.Context, h http.Header) {
	h.Set("Content-Type", ContentType)
	h.Set("Accept", ContentType)
	if c.cfg.BearerToken != "" {
		h.Set("Authorization", "Bearer "+c.cfg.BearerToken)
	}
	if id := contracts.CorrelationID(ctx); id != "" {
		h.Set(contracts.HeaderCorrelationID, id)
	}
}

// decode reads an answer: the result of call id, or its error object.
func (c *Client) decode(method string, id []byte, status int, raw []byte, out any) error {
	resp, err := decodeResponse(raw, id)
	if err != nil {
		if status >= 500 || status == http.StatusTooManyRequests {
			// A bare 5xx: a gateway's (may have reached the MIS) or the
			// MIS's own failure, perhaps after it committed; 503 and 429
			// say the work was not taken.
			maybe := status != http.StatusServiceUnavailable && status != http.StatusTooManyRequests
			return c.lost(method, maybe, fmt.Errorf("HTTP %d without a JSON-RPC answer", status))
		}
		return c.broken(method, fmt.Errorf("HTTP %d: %w", status, err))
	}
	if resp.Error != nil {
		return c.rpcError(method, resp.Error)
	}
	if status < 200 || status > 299 {
		return c.broken(method, fmt.Errorf("HTTP %d with a result", status))
	}
	if err := decodeResult(resp.Result, out); err != nil {
		return c.broken(method, fmt.Errorf("%w: result: %v", ErrNotJSONRPC, err))
	}
	return nil
}

// lost is a call whose answer never arrived: for a state-changing call that
// may have been sent, the outcome is unknown; otherwise the region is
// unavailable.
func (c *Client) lost(method string, maybeSent bool, err error) error {
	if changes(method) && maybeSent {
		return c.errorf(method, "no answer: %w: %w", err, contracts.ErrOutcomeUnknown)
	}
	return c.errorf(method, "no answer: %w: %w", err, contracts.ErrRegionUnavailable)
}

// broken is an answer outside the protocol. After a state-changing call the
// MIS may have acted before answering badly, so the outcome is unknown; a
// read says the MIS is broken, which counts against the region.
func (c *Client) broken(method string, err error) error {
	if changes(method) {
		return c.errorf(method, "answer breaks the protocol: %w: %w", err, contracts.ErrOutcomeUnknown)
	}
	return c.errorf(method, "answer breaks the protocol: %w: %w", err, contracts.ErrRegionUnavailable)
}

func (c *Client) errorf(method, format string, args ...any) error {
	return fmt.Errorf("%s in region %s: "+format, append([]any{method, c.cfg.Region.Code}, args...)...)
}

// mayHaveBeenSent is false only when the connection was never made (dial
// or DNS failure); anything later may have delivered the request.
func mayHaveBeenSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(err, &dns)
}

// stepLocks serialises the calls of one idempotency key within this
// process, so a repeat waits for the first call rather than race it to the
// MIS. Striped (a fixed array) rather than one mutex per key so that it
// never grows; unrelated keys sharing a stripe only wait a little.
type stepLocks struct {
	seed    maphash.Seed
	once    sync.Once
	stripes [64]sync.Mutex
}

func (l *stepLocks) lock(key string) func() {
	l.once.Do(func() { l.seed = maphash.MakeSeed() })
	m := &l.stripes[maphash.String(l.seed, key)%uint64(len(l.stripes))]
	m.Lock()
	return m.Unlock
}
