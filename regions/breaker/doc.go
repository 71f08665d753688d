// Package breaker owns how the broker protects itself and a regional MIS
// from each other: a decorator around any contracts.MIS with one circuit
// breaker (sony/gobreaker v2) and one concurrency limit per region.
//
// A business "no" (slot taken, hold expired, not found, invalid) is an
// answer from a healthy MIS and never trips the breaker; unavailability,
// unknown outcomes and timeouts do. While the breaker is open, calls fail at
// once with an error wrapping contracts.ErrRegionUnavailable, so one failing
// region costs the others nothing.
package breaker
