package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
)

// Citizen is the identity a verified token proves. Subject is the identity
// provider's stable id for the person; SNILS (11 digits) and OMS (16 digits)
// are empty when the token did not carry them, and validated when it did.
//
// SNILS and OMS are personal identifiers: String, GoString and LogValue show
// only a short hash of the subject, so a Citizen can be logged or printed
// without leaking them. Do not marshal a Citizen to logs or analytics by
// other means.
type Citizen struct {
	Subject string
	SNILS   string
	OMS     string
}

// subjectHashLen is how many hex characters of SHA-256(subject) identify a
// citizen in logs: enough to correlate lines, too few to matter as an id.
const subjectHashLen = 12

// SubjectHash returns a short unkeyed hash of the subject, for correlating
// log lines. It is a pseudonym of the identity provider's opaque id, not of
// SNILS or OMS, so an unkeyed hash is enough here; stored identifiers use
// Pseudonymizer instead.
func (c Citizen) SubjectHash() string {
	sum := sha256.Sum256([]byte(c.Subject))
	return hex.EncodeToString(sum[:])[:subjectHashLen]
}

// String shows the citizen as "citizen:<subject hash>", never the identifiers.
func (c Citizen) String() string { return "citizen:" + c.SubjectHash() }

// GoString keeps %#v from printing the identifiers.
func (c Citizen) GoString() string { return "auth.Citizen{" + c.SubjectHash() + "}" }

// LogValue implements slog.LogValuer: the subject hash and whether SNILS and
// OMS are present, never their values.
func (c Citizen) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("subject_hash", c.SubjectHash()),
		slog.Bool("has_snils", c.SNILS != ""),
		slog.Bool("has_oms", c.OMS != ""),
	)
}

type citizenKey struct{}

// WithCitizen returns a context carrying c; Middleware uses it, and tests of
// handlers may too.
func WithCitizen(ctx context.Context, c Citizen) context.Context {
	return context.WithValue(ctx, citizenKey{}, c)
}

// CitizenFrom returns the citizen that Middleware authenticated for this
// request, and false when there is none.
func CitizenFrom(ctx context.Context) (Citizen, bool) {
	c, ok := ctx.Value(citizenKey{}).(Citizen)
	return c, ok
}
