package jsonrpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/mishttp"
	"github.com/fedhealth/federation/regions/steplock"
)

// Client implements contracts.MIS over the city JSON-RPC API for one
// region, supplying hold and idempotency through its Ledger. It is safe
// for concurrent use.
type Client struct {
	cfg    Config
	loc    *time.Location
	ledger Ledger
	log    *slog.Logger
	http   *mishttp.Client
	ids    atomic.Uint64  // JSON-RPC request ids
	steps  steplock.Locks // a repeat of a step waits for the first call
}

var (
	_ contracts.MIS                      = (*Client)(nil)
	_ contracts.Shifter                  = (*Client)(nil) // shiftAppointment: the native reschedule
	_ contracts.PatientAppointmentReader = (*Client)(nil)
)

// New validates cfg and returns a Client whose holds are recorded in
// ledger. A nil logger discards.
func New(cfg Config, ledger Ledger, logger *slog.Logger) (*Client, error) {
	cfg.SetDefaults()
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
	h, err := cfg.Open()
	if err != nil {
		return nil, fmt.Errorf("jsonrpc client for region %s: %w", cfg.Region.Code, err)
	}
	return &Client{cfg: cfg, loc: loc, ledger: ledger, log: logger.With("region", cfg.Region.Code), http: h}, nil
}

// Close releases idle connections; later calls open new ones.
func (c *Client) Close() error { return c.http.Close() }

// Region returns the region this client serves.
func (c *Client) Region() contracts.Region { return c.cfg.Region }

// changes reports whether method changes state at the MIS: when its
// answer is lost the outcome is unknown.
func changes(method string) bool {
	return method == MethodCreate || method == MethodCancel || method == MethodShift
}

// call sends method with params and decodes its result into out. Only the
// reads are repeated (a JSON-RPC error is the MIS's answer and final).
// Every error wraps one contracts sentinel, or is of kind internal for an
// error code outside the vocabulary.
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	id := []byte(fmt.Sprint(c.ids.Add(1)))
	body, err := encodeRequest(id, method, params)
	if err != nil {
		return c.errorf(method, "encode request: %v: %w", err, contracts.ErrInvalid)
	}
	header := http.Header{"Content-Type": {ContentType}, "Accept": {ContentType}}
	ans, err := c.http.Post(ctx, c.cfg.Endpoint, body, header, !changes(method))
	var lost *mishttp.NoAnswerError
	switch {
	case errors.As(err, &lost):
		return c.lost(method, lost.MaybeSent, lost.Err)
	case err != nil:
		return c.broken(method, err)
	}
	return c.decode(method, id, ans.Status, ans.Body, out)
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
