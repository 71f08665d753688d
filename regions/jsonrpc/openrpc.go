package jsonrpc

import (
	_ "embed" // the OpenRPC document travels inside the binary
	"encoding/json"
	"fmt"
)

// OpenRPC is the OpenRPC 1.2 document of the methods this package calls
// (openrpc.json beside this file). The simulator answers rpc.discover
// with it, and a test holds the adapter, the simulator and the document to
// the same methods and error codes.
//
//go:embed openrpc.json
var OpenRPC []byte

// Document is the part of an OpenRPC document the checks read.
type Document struct {
	OpenRPC string `json:"openrpc"`
	Methods []struct {
		Name   string `json:"name"`
		Params []struct {
			Name     string `json:"name"`
			Required bool   `json:"required"`
		} `json:"params"`
	} `json:"methods"`
	Components struct {
		Errors map[string]struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"components"`
}

// ParseOpenRPC reads the embedded document.
func ParseOpenRPC() (*Document, error) {
	var d Document
	if err := json.Unmarshal(OpenRPC, &d); err != nil {
		return nil, fmt.Errorf("openrpc.json: %w", err)
	}
	return &d, nil
}
