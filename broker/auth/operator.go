package auth

import (
	"context"
	"encoding/json"
	"regexp"

	"github.com/fedhealth/federation/broker/audit"
	"github.com/fedhealth/federation/contracts"
)

// Role is what a verified token lets its bearer do: a citizen books for
// themself; a regional operator works one region's operator queue; a
// ministry analyst reads the aggregate dashboards.
type Role string

// The roles.
const (
	RoleCitizen  Role = "citizen"
	RoleOperator Role = "operator"
	RoleAnalyst  Role = "analyst"
)

// ErrWrongRole is returned when a verified token's role is not the one an
// endpoint serves: an operator's token on a citizen endpoint, or the
// reverse. Its kind is contracts.KindInvalid (the same request cannot
// succeed); the HTTP layer answers 403.
var ErrWrongRole = contracts.NewError(contracts.KindInvalid, "the token's role may not use this endpoint")

// Operator is a regional operator as a verified token proves: the
// operator's id and the one region whose queue they work. Neither is a
// personal identifier of a citizen; the id is recorded in the audit trail.
type Operator struct {
	ID     string
	Region string
}

// Principal is whoever a verified token names: a citizen, an operator or
// an analyst. Role says which of Citizen, Operator and Analyst is set.
type Principal struct {
	Role     Role
	Citizen  Citizen
	Operator Operator
	Analyst  Analyst
}

// Default claim names of an operator token (VerifierConfig.OperatorClaim,
// RegionClaim): the dev issuer signs these.
const (
	DefaultOperatorClaim = "operator_id"
	DefaultRegionClaim   = "region"
)

// operatorIDPattern bounds an operator id: it goes into logs, audit
// records and idempotency owners as it is.
var operatorIDPattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// ValidOperatorID reports whether id is a well-formed operator id: up to
// 64 letters, digits, '.', '_', '@' or '-', and not shaped like a SNILS
// or OMS number by the audit trail's own rule (audit.LooksLikeIdentifier),
// since every action of the operator is recorded under the id.
func ValidOperatorID(id string) bool {
	return operatorIDPattern.MatchString(id) && !audit.LooksLikeIdentifier(id)
}

var (
	reasonBadOperator   = reason{label: "bad_operator", text: "operator token needs a well-formed operator id and region claim"}
	reasonMixedOperator = reason{label: "mixed_operator", text: "operator token also carries a citizen's identifier claim"}
)

// citizenIdentifierClaims are the claims that name a citizen to an MIS: a
// token carrying one of them is a citizen's, and one carrying an operator
// claim too is refused rather than guessed at.
var citizenIdentifierClaims = []string{"snils", "oms", "birthdate"}

// operator reads the operator claims of a token; isOperator is false when
// the token carries no operator claim (a citizen's token) or operators
// are off (no operator claim configured).
func (p tokenPolicy) operator(extra map[string]json.RawMessage) (op Operator, isOperator bool, r reason) {
	if p.operatorClaim == "" {
		return Operator{}, false, reasonOK
	}
	raw, ok := extra[p.operatorClaim]
	if !ok {
		return Operator{}, false, reasonOK
	}
	for _, c := range citizenIdentifierClaims {
		if _, mixed := extra[c]; mixed {
			return Operator{}, true, reasonMixedOperator
		}
	}
	var region string
	if json.Unmarshal(raw, &op.ID) != nil || json.Unmarshal(extra[p.regionClaim], &region) != nil ||
		!ValidOperatorID(op.ID) || !contracts.ValidRegionCode(region) {
		return Operator{}, true, reasonBadOperator
	}
	op.Region = region
	return op, true, reasonOK
}

type operatorKey struct{}

// WithOperator returns a context carrying op; Middleware uses it for
// operator tokens, and tests of handlers may too.
func WithOperator(ctx context.Context, op Operator) context.Context {
	return context.WithValue(ctx, operatorKey{}, op)
}

// OperatorFrom returns the operator that Middleware authenticated for this
// request, and false when the caller is not an operator.
func OperatorFrom(ctx context.Context) (Operator, bool) {
	op, ok := ctx.Value(operatorKey{}).(Operator)
	return op, ok
}
