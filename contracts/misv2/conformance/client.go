package conformance

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	kit "github.com/fedhealth/federation/contracts/conformance"
	"github.com/fedhealth/federation/contracts/misv2"
)

// client talks to the MIS under test with plain net/http.
type client struct {
	base, token string
	basePath    string // base's path, which openapi.yaml's paths follow
	hc          *http.Client
	patient     []misv2.Identifier
	slotQuery   string
	run         string // distinguishes this run's idempotency keys
	seq         atomic.Int64
	zone        string         // the region's time zone, "" when not given
	loc         *time.Location // zone loaded; nil when not given or unknown
	rec         *kit.Recorder
	maxHoldWait time.Duration  // the lapse requirements' longest wait
	callback    *CallbackCheck // FHIR-CB-01's receiver; nil skips it
}

// response is an answer read in full.
type response struct {
	// line is the request as evidence shows it ("POST /Appointment/$hold").
	line   string
	status int
	header http.Header
	body   []byte
	// invalid is why the answer does not match openapi.yaml; nil when it does.
	invalid error
}

// excerptLen bounds how much of an answer evidence quotes.
const excerptLen = 500

// String is the exchange as evidence shows it: request line, status and
// a bounded excerpt of the body.
func (r response) String() string {
	return fmt.Sprintf("%s → %d: %s", r.line, r.status, excerpt(r.body))
}

func excerpt(b []byte) string {
	if len(b) > excerptLen {
		return string(b[:excerptLen]) + "…"
	}
	return string(b)
}

func runID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// key returns a fresh Idempotency-Key, unique across runs.
func (c *client) key() string {
	return "conformance-" + c.run + "-" + strconv.FormatInt(c.seq.Add(1), 10)
}

// send makes one call; key "" sends no Idempotency-Key. Safe from any
// goroutine. The request must be one openapi.yaml allows (see
// sendOffContract for the ones that must not be).
func (c *client) send(method, path, key string, body any) (response, error) {
	req, err := c.request(method, path, key, body)
	if err != nil {
		return response{}, err
	}
	return c.exchange(req)
}

// sendOffContract is send for a request that breaks openapi.yaml on
// purpose (no Idempotency-Key, no slot parameter): the requirement tests
// that the MIS refuses it.
func (c *client) sendOffContract(method, path, key string, body any) (response, error) {
	req, err := c.request(method, path, key, body)
	if err != nil {
		return response{}, err
	}
	return c.exchangeOffContract(req)
}

func (c *client) request(method, path, key string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", misv2.ContentType)
	if body != nil {
		req.Header.Set("Content-Type", misv2.ContentType)
	}
	if key != "" {
		req.Header.Set(misv2.HeaderIdempotencyKey, key)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// exchange checks the kit's request against openapi.yaml, makes the call,
// times it, reads the answer and checks it against openapi.yaml too. A
// request the contract does not allow is not sent: it is a fault of the
// kit, reported as such.
func (c *client) exchange(req *http.Request) (response, error) {
	if err := validateRequest(c.basePath, req); err != nil {
		return response{}, fmt.Errorf("%s %s: the kit's own request does not match openapi.yaml, a fault of the kit (please report it): %w",
			req.Method, req.URL.RequestURI(), err)
	}
	return c.exchangeOffContract(req)
}

// exchangeOffContract is exchange without the request check, for the
// requests that are off the contract on purpose.
func (c *client) exchangeOffContract(req *http.Request) (response, error) {
	line := req.Method + " " + req.URL.RequestURI()
	stop := c.rec.Start(c.operation(req))
	resp, err := c.hc.Do(req)
	if err != nil {
		stop()
		return response{}, fmt.Errorf("%s: %w", line, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	stop()
	if err != nil {
		return response{}, fmt.Errorf("%s: reading body: %w", line, err)
	}
	r := response{line: line, status: resp.StatusCode, header: resp.Header, body: b}
	r.invalid = validateResponse(c.basePath, req, r)
	return r, nil
}

// operation names a call for the latency table: method and path below
// the base, with an appointment's id replaced by {id}.
func (c *client) operation(req *http.Request) string {
	parts := strings.Split(strings.TrimPrefix(req.URL.Path, c.basePath), "/")
	for i, part := range parts {
		if i > 0 && parts[i-1] == "Appointment" && part != "" && !strings.HasPrefix(part, "$") {
			parts[i] = "{id}"
		}
	}
	return req.Method + " " + strings.Join(parts, "/")
}

// call is send that fails the test on a transport error.
func (c *client) call(t kit.T, method, path, key string, body any) response {
	t.Helper()
	return c.answered(t, c.send, method, path, key, body)
}

// callOffContract is sendOffContract that fails the test on a transport
// error. The answer is still checked against openapi.yaml.
func (c *client) callOffContract(t kit.T, method, path, key string, body any) response {
	t.Helper()
	return c.answered(t, c.sendOffContract, method, path, key, body)
}

func (c *client) answered(t kit.T, send func(method, path, key string, body any) (response, error), method, path, key string, body any) response {
	t.Helper()
	r, err := send(method, path, key, body)
	if err != nil {
		t.Fatalf("the MIS did not answer: %v", err)
	}
	c.checkSchema(t, r)
	return r
}

// checkSchema fails t when r does not match openapi.yaml.
func (c *client) checkSchema(t kit.T, r response) {
	t.Helper()
	if r.invalid != nil {
		t.Errorf("%s → %d does not match openapi.yaml: %v; body: %s", r.line, r.status, r.invalid, excerpt(r.body))
	}
}

func (c *client) get(t kit.T, path string) response {
	t.Helper()
	return c.call(t, http.MethodGet, path, "", nil)
}

// holdBody is the $hold Parameters for slotID and the target's patient.
func (c *client) holdBody(slotID string) misv2.Parameters {
	p := misv2.Parameters{ResourceType: "Parameters", Parameter: []misv2.Parameter{
		{Name: "slot", ValueReference: &misv2.Reference{Reference: "Slot/" + slotID}},
	}}
	for _, id := range c.patient {
		p.Parameter = append(p.Parameter, misv2.Parameter{Name: "patient", ValueIdentifier: &id})
	}
	return p
}

func (c *client) hold(t kit.T, slotID, key string) response {
	t.Helper()
	return c.call(t, http.MethodPost, "/Appointment/$hold", key, c.holdBody(slotID))
}

func (c *client) book(t kit.T, id, key string) response {
	t.Helper()
	return c.call(t, http.MethodPost, "/Appointment/"+id+"/$book", key, nil)
}

func (c *client) cancel(t kit.T, id, key string) response {
	t.Helper()
	return c.call(t, http.MethodPost, "/Appointment/"+id+"/$cancel", key, nil)
}

// decode checks the answer's status and FHIR media type and decodes it.
func decode[T any](t kit.T, r response, wantStatus int, what string) T {
	t.Helper()
	var v T
	if r.status != wantStatus {
		t.Fatalf("%s: status %d, want %d; %s", what, r.status, wantStatus, r)
	}
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt != misv2.ContentType {
		t.Errorf("%s: %s: Content-Type %q, want %s", what, r.line, r.header.Get("Content-Type"), misv2.ContentType)
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%s: body is not the expected resource: %v; %s", what, err, r)
	}
	return v
}

// refusal checks that r is an OperationOutcome with status and refusal
// code (code "" checks only that it is an OperationOutcome).
func refusal(t kit.T, r response, status int, code string, what string) {
	t.Helper()
	oo := decode[misv2.OperationOutcome](t, r, status, what)
	if oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
		t.Fatalf("%s: answer is not an OperationOutcome with issues; %s", what, r)
	}
	if code != "" && oo.RefusalCode() != code {
		t.Errorf("%s: refusal code %q, want %q (system %s); %s", what, oo.RefusalCode(), code, misv2.RefusalCodeSystem, r)
	}
}
