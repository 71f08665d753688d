package auth

import (
	"context"
	"encoding/json"
)

// Analyst is a ministry analyst as a verified token proves: an id, for the
// audit trail, and nothing else. An analyst reads aggregate figures only
// (the analytics read model holds no personal data); no citizen's booking
// and no operator queue is theirs.
type Analyst struct {
	ID string
}

// DefaultAnalystClaim is the claim the dev issuer signs into an analyst's
// token (VerifierConfig.AnalystClaim): its value is the analyst's id.
const DefaultAnalystClaim = "analyst_id"

var (
	reasonBadAnalyst   = reason{label: "bad_analyst", text: "analyst token needs a well-formed analyst id"}
	reasonMixedAnalyst = reason{label: "mixed_analyst", text: "analyst token also carries a citizen's identifier or an operator's claim"}
)

// analyst reads the analyst claim of a token; isAnalyst is false when the
// token carries none or analysts are off (no analyst claim configured). A
// token that names an analyst and also a citizen or an operator is
// refused rather than guessed at.
func (p tokenPolicy) analyst(extra map[string]json.RawMessage) (a Analyst, isAnalyst bool, r reason) {
	if p.analystClaim == "" {
		return Analyst{}, false, reasonOK
	}
	raw, ok := extra[p.analystClaim]
	if !ok {
		return Analyst{}, false, reasonOK
	}
	for _, c := range citizenIdentifierClaims {
		if _, mixed := extra[c]; mixed {
			return Analyst{}, true, reasonMixedAnalyst
		}
	}
	if _, mixed := extra[p.operatorClaim]; mixed && p.operatorClaim != "" {
		return Analyst{}, true, reasonMixedAnalyst
	}
	// The same shape as an operator id, for the same reason: it goes into
	// logs and the audit trail as it is.
	if json.Unmarshal(raw, &a.ID) != nil || !ValidOperatorID(a.ID) {
		return Analyst{}, true, reasonBadAnalyst
	}
	return a, true, reasonOK
}

type analystKey struct{}

// WithAnalyst returns a context carrying a; Middleware uses it for analyst
// tokens, and tests of handlers may too.
func WithAnalyst(ctx context.Context, a Analyst) context.Context {
	return context.WithValue(ctx, analystKey{}, a)
}

// AnalystFrom returns the analyst that Middleware authenticated for this
// request, and false when the caller is not an analyst.
func AnalystFrom(ctx context.Context) (Analyst, bool) {
	a, ok := ctx.Value(analystKey{}).(Analyst)
	return a, ok
}

// RoleFrom names the role of the caller Middleware authenticated: analyst,
// operator, or else citizen.
func RoleFrom(ctx context.Context) Role {
	if _, ok := AnalystFrom(ctx); ok {
		return RoleAnalyst
	}
	if _, ok := OperatorFrom(ctx); ok {
		return RoleOperator
	}
	return RoleCitizen
}
