package contracts

import "context"

// CallClass says whose budget an MIS call is taken from. Each region keeps
// separate budgets of calls in flight for new work and for compensation, so
// that a wave of compensations (after an outage or a stall) never starves
// the bookings that can still succeed, and new work never leaves the
// compensations of ended bookings waiting for ever.
type CallClass int

const (
	// CallNewWork is the default: a citizen's booking or cancellation.
	CallNewWork CallClass = iota
	// CallCompensation undoes what an ended booking left at the MIS.
	CallCompensation
)

type callClassKey struct{}

// WithCallClass marks the MIS calls made with ctx as of class c.
func WithCallClass(ctx context.Context, c CallClass) context.Context {
	return context.WithValue(ctx, callClassKey{}, c)
}

// CallClassOf returns the class WithCallClass set on ctx, CallNewWork if none.
func CallClassOf(ctx context.Context) CallClass {
	c, _ := ctx.Value(callClassKey{}).(CallClass)
	return c
}
