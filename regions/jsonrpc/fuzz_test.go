package jsonrpc

import (
	"bytes"
	"testing"
)

// FuzzDecodeResponse feeds arbitrary answers to the decoder: it never
// panics, and accepts only one answer to call 7 (or an error object with
// a null id) with exactly one of result and error.
func FuzzDecodeResponse(f *testing.F) {
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":7,"result":{"id":"1"}}`, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}`,
		`[{"jsonrpc":"2.0","id":7,"result":{}}]`, `{"jsonrpc":"2.0","id":8,"result":{}}`, `{"jsonrpc":"2.0","id":7}`,
		`{"jsonrpc":"2.0","id":7,"result":1,"error":{"code":1}}`, `{"jsonrpc":"2.0","id":7,"res`, ``, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		resp, err := decodeResponse(raw, []byte("7"))
		if err != nil {
			return
		}
		hasResult := len(resp.Result) > 0 && string(resp.Result) != "null"
		if hasResult == (resp.Error != nil) || resp.JSONRPC != Version {
			t.Fatalf("accepted %q: %+v", raw, resp)
		}
		id := bytes.TrimSpace(resp.ID)
		if string(id) != "7" && (resp.Error == nil || (len(id) != 0 && string(id) != "null")) {
			t.Fatalf("accepted another call's answer %q", raw)
		}
	})
}
