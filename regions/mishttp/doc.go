// Package mishttp is the HTTP plumbing every region client shares, so each
// kind's package holds only its dialect: one pooled transport per client,
// a per-attempt timeout that covers the body, answers read whole up to a
// size bound, redirects refused, the bearer token and the correlation id
// on every request, and retries (through go-retryablehttp) of the calls the
// caller marks safe to repeat, never of the others.
//
// It says nothing about what an answer means: a client maps a NoAnswerError
// (with whether the request may have reached the MIS), ErrTooLarge and the
// status and body it returns to its own errors, because only the dialect
// knows whether a call changed anything.
package mishttp
