package jsonrpc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/fedhealth/federation/contracts"
)

// patients is this process's short memory of whose hold is whose: the API
// reads appointments back only by patient (OMS policy and birth date),
// while the port's ReadAppointment, Book and FindByHoldKey name only an
// appointment or a key. Entries live in memory alone, bounded in number
// and age (an expirable LRU rather than a hand-made map with a sweeper),
// and hold just the two identifiers the API needs.
type patients struct {
	byKey  *expirable.LRU[string, contracts.Patient] // hold key -> patient
	byAppt *expirable.LRU[string, contracts.Patient] // appointment id -> patient
}

func newPatients(size int, ttl time.Duration) *patients {
	return &patients{
		byKey:  expirable.NewLRU[string, contracts.Patient](size, nil, ttl),
		byAppt: expirable.NewLRU[string, contracts.Patient](size, nil, ttl),
	}
}

func (p *patients) remember(key, appointmentID string, who contracts.Patient) {
	who = contracts.Patient{OMS: who.OMS, BirthDate: who.BirthDate} // nothing the API does not need
	if key != "" {
		p.byKey.Add(key, who)
	}
	if appointmentID != "" {
		p.byAppt.Add(appointmentID, who)
	}
}

func (p *patients) ofKey(key string) (contracts.Patient, bool) { return p.byKey.Get(key) }

func (p *patients) ofAppointment(id string) (contracts.Patient, bool) { return p.byAppt.Get(id) }

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
