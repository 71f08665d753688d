package soap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/mishttp"
	"github.com/fedhealth/federation/regions/slotoffset"
	"github.com/fedhealth/federation/regions/steplock"
)

// Client implements contracts.MIS over the e-registry SOAP style for one
// region, supplying hold and idempotency through its Ledger. It is safe
// for concurrent use.
type Client struct {
	cfg     Config
	loc     *time.Location
	ledger  Ledger
	log     *slog.Logger
	http    *mishttp.Client
	steps   steplock.Locks // a repeat of a step waits for the first call
	offsets slotoffset.Log // slots refused for their UTC offset
	dir     directory      // GetMOInfoExtended and GetServicePostSpecsInfo, cached
}

var (
	_ contracts.MIS               = (*Client)(nil)
	_ contracts.AppointmentReader = (*Client)(nil)
)

// New validates cfg and returns a Client whose holds are recorded in
// ledger. A nil logger discards.
func New(cfg Config, ledger Ledger, logger *slog.Logger) (*Client, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if ledger == nil {
		return nil, fmt.Errorf("soap client for region %s: a ledger is required: %w", cfg.Region.Code, contracts.ErrInvalid)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	loc, _ := time.LoadLocation(cfg.Region.TimeZone) // Validate checked it
	h, err := cfg.Open()
	if err != nil {
		return nil, fmt.Errorf("soap client for region %s: %w", cfg.Region.Code, err)
	}
	return &Client{cfg: cfg, loc: loc, ledger: ledger, log: logger.With("region", cfg.Region.Code), http: h, dir: newDirectory()}, nil
}

// Close releases idle connections; later calls open new ones.
func (c *Client) Close() error { return c.http.Close() }

// Region returns the region this client serves.
func (c *Client) Region() contracts.Region { return c.cfg.Region }

// call POSTs in as method and decodes the answer into out. changes marks
// CreateAppointment and CancelAppointment: when their answer is lost the
// error is ErrOutcomeUnknown. Only the safe reads are repeated (a SOAP
// fault is the MIS's answer and final). Every error wraps one contracts
// sentinel, or is of kind internal for a fault code outside the
// vocabulary.
func (c *Client) call(ctx context.Context, method string, changes bool, in, out any) error {
	body, err := Marshal(in)
	if err != nil {
		return c.errorf(method, "encode request: %v: %w", err, contracts.ErrInvalid)
	}
	header := http.Header{}
	header.Set("Content-Type", ContentType)
	header.Set("SOAPAction", `"`+Action(method)+`"`) // SOAP 1.1 quotes the URI
	safe := method == MethodGetScheduleInfo || method == MethodGetPatientAppointments || method == MethodGetAppointmentsByPeriod ||
		method == MethodGetMOInfoExtended || method == MethodGetServicePostSpecsInfo
	ans, err := c.http.Post(ctx, c.cfg.Endpoint, body, header, safe)
	var lost *mishttp.NoAnswerError
	switch {
	case errors.As(err, &lost):
		return c.lost(method, changes, lost.MaybeSent, lost.Err)
	case err != nil:
		return c.broken(method, changes, err)
	}
	return c.decode(method, changes, ans.Status, ans.Body, out)
}

// decode reads a SOAP answer: the expected response element, or a fault.
func (c *Client) decode(method string, changes bool, status int, raw []byte, out any) error {
	d, start, err := ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		if status >= 500 || status == http.StatusTooManyRequests {
			gateway := status == http.StatusBadGateway || status == http.StatusGatewayTimeout
			return c.lost(method, changes, gateway, fmt.Errorf("HTTP %d without a SOAP envelope", status))
		}
		return c.broken(method, changes, fmt.Errorf("HTTP %d: %w", status, err))
	}
	if IsFault(start) {
		var f Fault
		if err := d.DecodeElement(&f, &start); err != nil {
			return c.broken(method, changes, fmt.Errorf("%w: fault does not decode: %v", ErrNotSOAP, err))
		}
		return c.faultError(method, &f)
	}
	if status < 200 || status > 299 {
		return c.broken(method, changes, fmt.Errorf("HTTP %d with a non-fault body", status))
	}
	if err := d.DecodeElement(out, &start); err != nil {
		return c.broken(method, changes, fmt.Errorf("%w: %v", ErrNotSOAP, err))
	}
	return nil
}

// lost is a call whose answer never arrived: for a state-changing call that
// may have been sent, the outcome is unknown; otherwise the region is
// unavailable.
func (c *Client) lost(method string, changes, maybeSent bool, err error) error {
	if changes && maybeSent {
		return c.errorf(method, "no answer: %w: %w", err, contracts.ErrOutcomeUnknown)
	}
	return c.errorf(method, "no answer: %w: %w", err, contracts.ErrRegionUnavailable)
}

// broken is an answer outside the protocol. After a state-changing call the
// MIS may have acted before answering badly, so the outcome is unknown; a
// read says the MIS is broken, which counts against the region.
func (c *Client) broken(method string, changes bool, err error) error {
	if changes {
		return c.errorf(method, "answer breaks the protocol: %v: %w", err, contracts.ErrOutcomeUnknown)
	}
	return c.errorf(method, "answer breaks the protocol: %v: %w", err, contracts.ErrRegionUnavailable)
}

func (c *Client) errorf(method, format string, args ...any) error {
	return fmt.Errorf("%s in region %s: "+format, append([]any{method, c.cfg.Region.Code}, args...)...)
}
