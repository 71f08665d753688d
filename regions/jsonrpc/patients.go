package jsonrpc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"

	"github.com/fedhealth/federation/contracts"
)

// patientRef is the ledger's reference to the patient of step key: an
// HMAC-SHA256 of the OMS policy and birth date, keyed by the configured
// secret and the step key, truncated to 128 bits. It lets a repeated Hold
// check that it names the patient of the first, and cannot be turned back
// into the identifiers short of trying every policy number and date.
func (c *Client) patientRef(key string, who contracts.Patient) string {
	m := hmac.New(sha256.New, []byte(c.cfg.RefSecret+"\x00"+c.cfg.Region.Code+"\x00"+key))
	m.Write([]byte(who.OMS + "\x00" + who.BirthDate))
	return "p1:" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}
