package fhir

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/regions/mishttp"
)

// Client implements contracts.MIS over the misv2 HTTP contract for one
// region. It is safe for concurrent use.
type Client struct {
	cfg       Config
	base      *url.URL
	loc       *time.Location
	http      *retryablehttp.Client
	transport *http.Transport
	logger    *slog.Logger
	tel       telemetry
}

var (
	_ contracts.MIS               = (*Client)(nil)
	_ contracts.AppointmentReader = (*Client)(nil)
)

// New validates cfg and returns a Client for the MIS it names. A nil logger
// discards.
func New(cfg Config, logger *slog.Logger) (*Client, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("region", cfg.Region.Code)
	loc, _ := time.LoadLocation(cfg.Region.TimeZone) // Validate checked it
	base, _ := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	tlsCfg, err := cfg.TLS.Load()
	transport := mishttp.NewTransport(tlsCfg)
	if err != nil {
		return nil, fmt.Errorf("fhir client for region %s: %w", cfg.Region.Code, err)
	}
	tel, err := newTelemetry(cfg)
	if err != nil {
		return nil, fmt.Errorf("fhir client for region %s telemetry: %w", cfg.Region.Code, err)
	}
	c := &Client{cfg: cfg, base: base, loc: loc, transport: transport, logger: logger, tel: tel}
	c.http = c.newRetryClient()
	return c, nil
}

// Close releases the client's idle connections. Calls made after Close
// still work; they open new connections.
func (c *Client) Close() error {
	c.transport.CloseIdleConnections()
	return nil
}

// Region returns the region this client serves.
func (c *Client) Region() contracts.Region { return c.cfg.Region }

func (c *Client) newRetryClient() *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient: &http.Client{
			// Close closes the real transport's idle connections;
			// retryablehttp must not (mishttp.KeepIdle says why).
			Transport:     mishttp.KeepIdle(c.transport),
			Timeout:       c.cfg.CallTimeout, // per attempt: retryablehttp calls Do once per attempt
			CheckRedirect: mishttp.RefuseRedirects,
		},
		Logger:         nil, // its default logger prints every request to stderr
		RetryWaitMin:   c.cfg.Retry.WaitMin,
		RetryWaitMax:   c.cfg.Retry.WaitMax,
		RetryMax:       c.cfg.Retry.MaxAttempts - 1,
		CheckRetry:     checkRetry,
		Backoff:        backoff(c.cfg.Retry.RetryAfterCap),
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.logAttempt,
	}
}

// logAttempt logs retries at Debug: method and path only, never headers
// (the bearer token) or bodies (patient identifiers).
func (c *Client) logAttempt(_ retryablehttp.Logger, req *http.Request, retry int) {
	if retry == 0 {
		return
	}
	c.tel.retry(req.Context(), c.cfg.Region.Code, operationOf(req.Context()))
	c.logger.LogAttrs(req.Context(), slog.LevelDebug, "retrying MIS call",
		slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Int("retry", retry))
}
