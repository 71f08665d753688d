package contracts

import (
	"context"
	"regexp"
)

// HeaderCorrelationID carries the correlation id over HTTP: in and out of
// the federal API, and on every call the broker makes to a regional MIS, so
// a clinic's logs can be matched with the citizen's request.
const HeaderCorrelationID = "X-Correlation-ID"

var correlationPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// ValidCorrelationID reports whether id may travel as a correlation id:
// 1 to 64 letters, digits, dots, dashes or underscores, so it is safe in
// any header, log line or metric exemplar.
func ValidCorrelationID(id string) bool { return correlationPattern.MatchString(id) }

type correlationKey struct{}

// WithCorrelationID returns a copy of ctx carrying id, the correlation id
// that ties a citizen's request to the saga messages and MIS calls it
// causes. A malformed id is not carried: ctx is returned as it is.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	if !ValidCorrelationID(id) {
		return ctx
	}
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationID returns the correlation id ctx carries, or "".
func CorrelationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}
