package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/fedhealth/federation/contracts"
)

// maxBody caps a JSON request body; every request the API takes is tiny.
const maxBody = 16 << 10

// readBody reads the whole body, refusing more than maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("%w: at most %d bytes", errBodyTooLarge, maxBody)
	}
	if err != nil {
		return nil, fmt.Errorf("read body: %v: %w", err, contracts.ErrInvalid)
	}
	return body, nil
}

// decodeBody reads the request's body (see readBody) and decodes it into v
// (see decodeJSON).
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// decodeJSON parses body into v strictly: one JSON object, no unknown fields.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("malformed JSON: %v: %w", err, contracts.ErrInvalid)
	}
	if dec.More() {
		return fmt.Errorf("malformed JSON: trailing data: %w", contracts.ErrInvalid)
	}
	return nil
}
