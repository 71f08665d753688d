package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hashicorp/go-retryablehttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/fedhealth/federation/contracts"
	"github.com/fedhealth/federation/contracts/misv2"
)

// maxBody caps how much of an answer we read: a broken MIS must not exhaust
// the broker's memory.
const maxBody = 8 << 20

// call describes one contract operation.
type call struct {
	op     string // metric and span name: "search_slots", "hold", ...
	method string
	path   string // "/Slot", "/Appointment/{id}/$book": ids validated, nothing to escape
	query  url.Values
	body   any    // marshalled as FHIR JSON when not nil
	key    string // Idempotency-Key of a POST
}

// do runs cl with retries and decodes a 2xx answer into out. Every error it
// returns wraps one contracts sentinel (or the caller's context error).
func (c *Client) do(ctx context.Context, cl call, out any) (err error) {
	ctx, end := c.tel.start(ctx, c.cfg.Region.Code, cl.op)
	defer func() { end(err) }()
	st := &callState{op: cl.op, post: cl.method == http.MethodPost}
	st.retryable = !st.post || cl.key != ""
	req, err := c.newRequest(withCallState(ctx, st), cl)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return c.transportError(ctx, cl.op, st, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		st.maybeApplied = st.post
		return c.transportError(ctx, cl.op, st, fmt.Errorf("read answer: %w", err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.statusError(cl.op, resp.StatusCode, body, st)
	}
	return c.decode(cl.op, body, out, st)
}

func (c *Client) newRequest(ctx context.Context, cl call) (*retryablehttp.Request, error) {
	u := *c.base // ids in cl.path are validated, so plain concatenation is safe
	u.Path += cl.path
	u.RawPath = ""
	u.RawQuery = cl.query.Encode()
	var body any
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("%s in region %s: encode request: %v: %w", cl.op, c.cfg.Region.Code, err, contracts.ErrInvalid)
		}
		body = bytes.NewReader(b)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s in region %s: build request: %w", cl.op, c.cfg.Region.Code, contracts.ErrInvalid)
	}
	c.setHeaders(ctx, req.Header, cl)
	return req, nil
}

func (c *Client) setHeaders(ctx context.Context, h http.Header, cl call) {
	h.Set("Accept", misv2.ContentType)
	if cl.body != nil {
		h.Set("Content-Type", misv2.ContentType)
	}
	if cl.key != "" {
		h.Set(misv2.HeaderIdempotencyKey, cl.key)
	}
	if c.cfg.BearerToken != "" {
		h.Set("Authorization", "Bearer "+c.cfg.BearerToken)
	}
	// The clinic's logs can then be matched with the citizen's request.
	if id := contracts.CorrelationID(ctx); id != "" {
		h.Set(contracts.HeaderCorrelationID, id)
	}
	// The MIS (and anything between) continues the broker's trace.
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(h))
}

// decode parses a 2xx answer. An answer that breaks the contract says the
// MIS is broken, not that our request was: it counts against the region.
func (c *Client) decode(op string, body []byte, out any, st *callState) error {
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		sentinel := contracts.ErrRegionUnavailable
		if st.post {
			sentinel = contracts.ErrOutcomeUnknown // it answered 2xx: the change took effect
		}
		return fmt.Errorf("%s in region %s: answer breaks the contract: %v: %w", op, c.cfg.Region.Code, err, sentinel)
	}
	return nil
}
