// Package breaker owns how the broker protects itself and a regional MIS
// from each other: a decorator around any contracts.MIS with one circuit
// breaker (sony/gobreaker v2) and two concurrency budgets per region, one
// for the sagas' calls and a smaller one for citizens' slot searches.
//
// A business "no" (slot taken, hold expired, not found, invalid) is an
// answer from a healthy MIS and never trips the breaker; unavailability,
// unknown outcomes and timeouts do. While the breaker is open, calls fail at
// once with an error wrapping contracts.ErrRegionUnavailable, so one failing
// region costs the others nothing.
//
// Slot searches never wait for or take a saga call's place: a flood of
// searches cannot starve holds and bookings. A search beyond the search
// budget is refused at once, and one past the (shorter) search timeout is
// cut short, both with ErrSearchBusy and a Retry-After; neither counts
// against the region, since the budget and the timeout are ours. A search
// that finds the MIS down or failing counts like any call.
//
// Every call, made or refused, is reported to Config.OnCall with its
// duration and an Outcome drawn from the same verdict the breaker was
// given, so what the analysts read as "failed" is what trips the breaker.
package breaker
