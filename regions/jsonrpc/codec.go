package jsonrpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNotJSONRPC marks a body that is not one JSON-RPC 2.0 answer to the
// call made: malformed or truncated JSON, a batch, another call's id, both
// or neither of result and error.
var ErrNotJSONRPC = errors.New("not a JSON-RPC 2.0 answer to this call")

func encodeRequest(id []byte, method string, params any) ([]byte, error) {
	p, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Request{JSONRPC: Version, ID: id, Method: method, Params: p})
}

// decodeResponse reads raw as the answer to the call with id. An error
// object whose id is null is accepted: JSON-RPC answers so when it could
// not read the call's id.
func decodeResponse(raw, id []byte) (*Response, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return nil, fmt.Errorf("%w: empty body", ErrNotJSONRPC)
	case raw[0] == '[':
		return nil, fmt.Errorf("%w: a batch answer to a single call", ErrNotJSONRPC)
	case raw[0] != '{':
		return nil, fmt.Errorf("%w: body is not a JSON object", ErrNotJSONRPC)
	}
	var resp Response
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotJSONRPC, err)
	}
	hasResult := len(resp.Result) > 0 && string(resp.Result) != "null"
	gotID := bytes.TrimSpace(resp.ID)
	switch {
	case resp.JSONRPC != Version:
		return nil, fmt.Errorf("%w: jsonrpc is %q, not %q", ErrNotJSONRPC, resp.JSONRPC, Version)
	case hasResult && resp.Error != nil:
		return nil, fmt.Errorf("%w: both result and error", ErrNotJSONRPC)
	case !hasResult && resp.Error == nil:
		return nil, fmt.Errorf("%w: neither result nor error", ErrNotJSONRPC)
	case resp.Error != nil && (len(gotID) == 0 || string(gotID) == "null"):
		return &resp, nil
	case !bytes.Equal(gotID, id):
		return nil, fmt.Errorf("%w: answer's id %.40s is not the call's %s", ErrNotJSONRPC, gotID, id)
	}
	return &resp, nil
}

func decodeResult(raw json.RawMessage, out any) error { return json.Unmarshal(raw, out) }
