package auth

import (
	"context"
	"log/slog"
)

// Citizen is the identity a verified token proves. Subject is the identity
// provider's stable id for the person; SNILS (11 digits) and OMS (16 digits)
// are empty when the token did not carry them, and validated when it did;
// so is BirthDate (YYYY-MM-DD, the OIDC "birthdate" claim).
//
// SNILS, OMS and BirthDate are personal identifiers: String, GoString and LogValue show
// only a short keyed hash of the subject, so a Citizen can be logged or
// printed without leaking them. Do not marshal a Citizen to logs or
// analytics by other means.
type Citizen struct {
	Subject string
	SNILS   string
	OMS     string
	// BirthDate is YYYY-MM-DD: some MIS find the patient by OMS and birth date.
	BirthDate string

	// subjectHash is set by the Verifier (Pseudonymizer.SubjectHash); a
	// Citizen built by hand has none and prints as unverified.
	subjectHash string
}

// SubjectHash returns the short keyed hash of the subject that identifies
// the citizen in logs (see Pseudonymizer.SubjectHash), or "unverified" for a
// Citizen that did not come from a Verifier. Keyed, because the subject is
// the identity provider's id of a person and appears in other systems'
// logs: an unkeyed hash of it could be matched by anyone who has those.
func (c Citizen) SubjectHash() string {
	if c.subjectHash == "" {
		return "unverified"
	}
	return c.subjectHash
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
		slog.Bool("has_birthdate", c.BirthDate != ""),
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
