package rpcsim

import "github.com/fedhealth/federation/regions/missim"

// Config describes one simulated region. It is the reference simulator's
// (missim.Config: region, zone, seed, clock, the size of the directory and
// the working day, the attachment and referral rules, the JSON-RPC call's
// bearer token and the admin token), so every simulator of this repository
// is configured and validated alike. HoldTTL is not used: the style has no
// holds.
type Config = missim.Config

// digits reports whether s is min..max decimal digits.
func digits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
