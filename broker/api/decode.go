package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/fedhealth/federation/broker/bookings"
	// The module mirrors encoding/json/v2 (stable from Go 1.27; switch the
	// import then): unlike encoding/json it matches member names exactly,
	// refuses duplicate names and invalid UTF-8, and refuses trailing data.
	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
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
		return nil, fmt.Errorf("read body: %v: %w", err, errBodyUnreadable)
	}
	return body, nil
}

// decodeBody checks that the request says its body is JSON, reads the
// body (see readBody) and decodes it into v (see decodeJSON).
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if err := checkJSONMediaType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// checkJSONMediaType accepts application/json with any parameters, but a
// charset only if it is UTF-8, the one JSON has (RFC 8259 §8.1).
func checkJSONMediaType(contentType string) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return errUnsupportedMediaType
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errUnsupportedMediaType
	}
	return nil
}

// Errors of the JSON body, each with the fixed words a client reads
// (never the decoder's own text, which quotes Go types and the input).
var (
	errBodyUnreadable = bookings.Invalid("The request body could not be read.")
	errNotAnObject    = bookings.Invalid("The body must be one JSON object.")
	errMalformedJSON  = bookings.Invalid("The body is not well-formed JSON: one object in UTF-8, with nothing after it.")
	errDuplicateName  = bookings.Invalid("A member of the JSON body appears more than once.")
	errUnknownMember  = bookings.Invalid("The JSON body has a member this request does not take; member names are case-sensitive.")
	errMemberType     = bookings.Invalid("A member of the JSON body has the wrong type.")
)

// decodeJSON parses body into v strictly: one JSON object, member names
// matched exactly (encoding/json would take "Slot_ID" for "slot_id"), each
// at most once (encoding/json would keep the last), no unknown members,
// nothing after the object.
func decodeJSON(body []byte, v any) error {
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' {
		return errNotAnObject // null too, which would decode as nothing at all
	}
	err := json.Unmarshal(body, v, json.RejectUnknownMembers(true))
	var semantic *json.SemanticError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jsontext.ErrDuplicateName):
		return fmt.Errorf("json: %v: %w", err, errDuplicateName)
	case errors.Is(err, json.ErrUnknownName):
		return fmt.Errorf("json: %v: %w", err, errUnknownMember)
	case errors.As(err, &semantic):
		return fmt.Errorf("json: %v: %w", err, errMemberType)
	default:
		return fmt.Errorf("json: %v: %w", err, errMalformedJSON)
	}
}
