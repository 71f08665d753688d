package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// minPseudonymKeyBytes: HMAC-SHA256 keys shorter than its output weaken it.
const minPseudonymKeyBytes = 32

// pseudonymHexLen is 128 bits of the HMAC: collision-free in practice for
// any number of citizens, and short enough for indexes and URLs.
const pseudonymHexLen = 32

// Pseudonymizer replaces personal identifiers with keyed pseudonyms, so the
// stores, read models and dashboards can join on a citizen or a SNILS
// without holding it in clear. Without the key a pseudonym cannot be
// reversed by hashing every possible SNILS (there are only 10^9). It is safe
// for concurrent use.
type Pseudonymizer struct {
	key []byte
}

// NewPseudonymizer keeps a copy of key, which must be at least 32 bytes of
// secret randomness. Changing the key changes every pseudonym.
func NewPseudonymizer(key []byte) (*Pseudonymizer, error) {
	if len(key) < minPseudonymKeyBytes {
		return nil, errors.New("auth: pseudonym key must be at least 32 bytes")
	}
	return &Pseudonymizer{key: append([]byte(nil), key...)}, nil
}

// Pseudonym returns the first 32 hex characters of HMAC-SHA256(key,
// kind+":"+value). kind ("citizen", "snils", "oms", ...) separates
// namespaces, so the same digits in two roles get unrelated pseudonyms.
func (p *Pseudonymizer) Pseudonym(kind, value string) string {
	mac := hmac.New(sha256.New, p.key)
	mac.Write([]byte(kind + ":" + value))
	return hex.EncodeToString(mac.Sum(nil))[:pseudonymHexLen]
}

// subjectHashLen is how many hex characters identify a citizen in logs:
// enough to correlate lines, too few to be worth much as an id.
const subjectHashLen = 12

// SubjectHash returns the short keyed hash of an identity provider subject
// that Citizen prints in logs: the first 12 hex characters of the HMAC in
// the "log-subject" namespace, unrelated to the citizen's stored pseudonym,
// so log lines cannot be joined to the store without the key either.
func (p *Pseudonymizer) SubjectHash(subject string) string {
	return p.Pseudonym("log-subject", subject)[:subjectHashLen]
}

// PatientKeys returns the keys that match a patient's bookings across
// channels (sagas.Booking.PatientKeys): the keyed hash of the SNILS and of
// the OMS policy number, each normalized first, in namespaces of their own
// ("patient-key-snils", "patient-key-oms") so they join nothing else that
// is pseudonymised. An identifier that is absent or malformed gives no key.
// The callback and reconciliation paths derive the same keys from what an
// MIS reports, so an appointment made by phone finds its citizen.
func (p *Pseudonymizer) PatientKeys(snils, oms string) []string {
	var keys []string
	if n, err := NormalizeSNILS(snils); err == nil && snils != "" {
		keys = append(keys, p.Pseudonym("patient-key-snils", n))
	}
	if n, err := NormalizeOMS(oms); err == nil && oms != "" {
		keys = append(keys, p.Pseudonym("patient-key-oms", n))
	}
	return keys
}
