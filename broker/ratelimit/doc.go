// Package ratelimit owns how the front end keeps one caller from taking
// more than its share of the broker: token buckets (golang.org/x/time/rate)
// per key, one key per signed-in citizen and one per client address, in
// maps whose memory stays bounded however many keys arrive; a cap on each
// citizen's concurrent long-polls; and how a request's client address is
// read behind trusted reverse proxies.
//
// Limits are local to one broker instance: instances share no counters, so
// behind a load balancer spreading a caller over N instances the caller may
// get up to N times the configured rates. That is deliberate: a shared
// store on every request's path would cost more than the abuse it stops,
// and each instance still protects itself and its regions.
package ratelimit
