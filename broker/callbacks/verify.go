package callbacks

import (
	"net/http"

	"github.com/fedhealth/federation/contracts/misv2"
)

// Reasons a callback is refused, as counted (metric attribute and the
// operators' view). The signature reasons are the contract's
// (misv2.CallbackVerifier, which the vendor kit checks with too).
const (
	ReasonMissing     = misv2.CallbackReasonMissing   // no webhook-id, -timestamp or -signature
	ReasonMalformed   = misv2.CallbackReasonMalformed // a timestamp that is not a number, an id too long
	ReasonSignature   = misv2.CallbackReasonSignature // no signature matches any of the region's secrets
	ReasonStale       = misv2.CallbackReasonStale     // more than 5 minutes off the broker's clock
	ReasonUndecodable = "undecodable_body"            // verified, but not a callback this version reads
)

// verifier checks Standard Webhooks signatures against every secret of a
// region (rotation: either secret is accepted), with the contract's code,
// so the broker takes exactly what the vendor kit passes.
type verifier struct{ v misv2.CallbackVerifier }

// newVerifier parses secrets in the whsec_ base64 form.
func newVerifier(secrets []string) (verifier, error) {
	v, err := misv2.NewCallbackVerifier(secrets)
	return verifier{v}, err
}

// CheckSecret reports whether s is a signing secret in the whsec_ form:
// the prefix, then the standard base64 of at least 16 random bytes. The
// error never quotes the secret.
func CheckSecret(s string) error { return misv2.CheckCallbackSecret(s) }

// verify returns "" when body and header carry a valid, fresh signature by
// one of the secrets, else the reason for refusing.
func (v verifier) verify(body []byte, h http.Header) string { return v.v.Verify(body, h) }
