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
	"sync/atomic"
	"testing"

	"github.com/fedhealth/federation/contracts/misv1"
)

// client talks to the MIS under test with plain net/http.
type client struct {
	base, token string
	hc          *http.Client
	patient     []misv1.Identifier
	slotQuery   string
	run         string // distinguishes this run's idempotency keys
	seq         atomic.Int64
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
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

// send makes one call; key "" sends no Idempotency-Key. Safe from any goroutine.
func (c *client) send(method, path, key string, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Accept", misv1.ContentType)
	if body != nil {
		req.Header.Set("Content-Type", misv1.ContentType)
	}
	if key != "" {
		req.Header.Set(misv1.HeaderIdempotencyKey, key)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.exchange(req)
}

func (c *client) exchange(req *http.Request) (response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading body: %w", req.Method, req.URL.Path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// call is send that fails the test on a transport error.
func (c *client) call(t *testing.T, method, path, key string, body any) response {
	t.Helper()
	r, err := c.send(method, path, key, body)
	if err != nil {
		t.Fatalf("the MIS did not answer: %v", err)
	}
	return r
}

func (c *client) get(t *testing.T, path string) response {
	t.Helper()
	return c.call(t, http.MethodGet, path, "", nil)
}

// holdBody is the $hold Parameters for slotID and the target's patient.
func (c *client) holdBody(slotID string) misv1.Parameters {
	p := misv1.Parameters{ResourceType: "Parameters", Parameter: []misv1.Parameter{
		{Name: "slot", ValueReference: &misv1.Reference{Reference: "Slot/" + slotID}},
	}}
	for _, id := range c.patient {
		p.Parameter = append(p.Parameter, misv1.Parameter{Name: "patient", ValueIdentifier: &id})
	}
	return p
}

func (c *client) hold(t *testing.T, slotID, key string) response {
	t.Helper()
	return c.call(t, http.MethodPost, "/Appointment/$hold", key, c.holdBody(slotID))
}

func (c *client) book(t *testing.T, id, key string) response {
	t.Helper()
	return c.call(t, http.MethodPost, "/Appointment/"+id+"/$book", key, nil)
}

func (c *client) cancel(t *testing.T, id, key string) response {
	t.Helper()
	return c.call(t, http.MethodPost, "/Appointment/"+id+"/$cancel", key, nil)
}

// decode checks the answer's status and FHIR media type and decodes it.
func decode[T any](t *testing.T, r response, wantStatus int, what string) T {
	t.Helper()
	var v T
	if r.status != wantStatus {
		t.Fatalf("%s: status %d, want %d; body: %.500s", what, r.status, wantStatus, r.body)
	}
	if mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type")); mt != misv1.ContentType {
		t.Errorf("%s: Content-Type %q, want %s", what, r.header.Get("Content-Type"), misv1.ContentType)
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%s: body is not the expected resource: %v; body: %.500s", what, err, r.body)
	}
	return v
}

// refusal checks that r is an OperationOutcome with status and refusal
// code (code "" checks only that it is an OperationOutcome).
func refusal(t *testing.T, r response, status int, code string, what string) {
	t.Helper()
	oo := decode[misv1.OperationOutcome](t, r, status, what)
	if oo.ResourceType != "OperationOutcome" || len(oo.Issue) == 0 {
		t.Fatalf("%s: answer is not an OperationOutcome with issues: %.500s", what, r.body)
	}
	if code != "" && oo.RefusalCode() != code {
		t.Errorf("%s: refusal code %q, want %q (system %s)", what, oo.RefusalCode(), code, misv1.RefusalCodeSystem)
	}
}
