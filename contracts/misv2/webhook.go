package misv2

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The verification of a status callback's signature lives here, beside
// the callback it signs, so the broker (broker/callbacks) and the vendor
// kit (the FHIR-CB and SOAP-CB requirements) check a delivery with the
// same code: the kit passes a callback exactly when the broker would take
// it. The signing is Standard Webhooks' (its Go library): "v1," + base64
// HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}", keyed by the
// secret's bytes; a timestamp more than CallbackTolerance off is refused.

// CallbackTolerance is how far a webhook-timestamp may be from the
// receiver's clock, either way: the standard-webhooks library's fixed
// window, stated here for the docs and the kit's evidence.
const CallbackTolerance = 5 * time.Minute

// Reasons a delivery is refused, as Verify names them (the broker's metric
// attribute and the kit's evidence).
const (
	CallbackReasonMissing   = "missing_headers"   // no webhook-id, -timestamp or -signature
	CallbackReasonMalformed = "malformed_headers" // a timestamp that is not a number, an id too long
	CallbackReasonSignature = "bad_signature"     // no signature matches any of the secrets
	CallbackReasonStale     = "stale_timestamp"   // more than CallbackTolerance off the clock
)

// MaxWebhookID bounds the webhook-id (the broker keys its replay store by it).
const MaxWebhookID = 200

// minSecretBytes is the shortest key accepted (Standard Webhooks asks for
// 24 to 64 bytes; 16 already resists guessing, and some MIS generate that).
const minSecretBytes = 16

// CheckCallbackSecret reports whether s is a signing secret in the whsec_
// form: the prefix, then the standard base64 of at least 16 random bytes.
// The error never quotes the secret.
func CheckCallbackSecret(s string) error {
	key, ok := strings.CutPrefix(s, "whsec_")
	raw, err := base64.StdEncoding.DecodeString(key)
	if !ok || err != nil || len(raw) < minSecretBytes {
		return errors.New("not whsec_ followed by the base64 of at least 16 bytes")
	}
	return nil
}

// CallbackVerifier checks Standard Webhooks signatures against every
// secret of a region, so secrets can rotate: while both are configured, a
// sender signing with either (or with both, space-separated) is accepted.
// The zero value accepts nothing; it is safe for concurrent use.
type CallbackVerifier struct{ hooks []*standardwebhooks.Webhook }

// NewCallbackVerifier parses secrets in the whsec_ base64 form; none, or
// one malformed, is an error that never quotes a secret.
func NewCallbackVerifier(secrets []string) (CallbackVerifier, error) {
	if len(secrets) == 0 {
		return CallbackVerifier{}, errors.New("no secret")
	}
	var v CallbackVerifier
	for i, s := range secrets {
		if err := CheckCallbackSecret(s); err != nil {
			return CallbackVerifier{}, fmt.Errorf("secret %d: %w", i+1, err)
		}
		wh, _ := standardwebhooks.NewWebhook(s) // CheckCallbackSecret accepted it
		v.hooks = append(v.hooks, wh)
	}
	return v, nil
}

// Verify returns "" when body and header carry a valid, fresh signature
// by one of the secrets, else the reason for refusing (CallbackReason…).
func (v CallbackVerifier) Verify(body []byte, h http.Header) string {
	if len(h.Get(standardwebhooks.HeaderWebhookID)) > MaxWebhookID {
		return CallbackReasonMalformed
	}
	for _, wh := range v.hooks {
		err := wh.Verify(body, h)
		switch {
		case err == nil:
			return ""
		case errors.Is(err, standardwebhooks.ErrNoMatchingSignature):
			continue // perhaps the next secret
		case errors.Is(err, standardwebhooks.ErrRequiredHeaders):
			return CallbackReasonMissing
		case errors.Is(err, standardwebhooks.ErrMessageTooOld), errors.Is(err, standardwebhooks.ErrMessageTooNew):
			return CallbackReasonStale
		default:
			return CallbackReasonMalformed
		}
	}
	return CallbackReasonSignature
}
