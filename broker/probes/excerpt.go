package probes

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxEvidence bounds a stored evidence excerpt, in bytes: enough for the
// request line and the start of the answer of a failure or two.
const MaxEvidence = 1000

// identifierLike is a run of 11 or more digits, counting through spaces
// and dashes: the shape of a SNILS (123-456-789 01) or an OMS policy
// number, as audit.LooksLikeIdentifier detects them.
var identifierLike = regexp.MustCompile(`\d(?:[ -]?\d){10,}`)

// Redacted replaces a redacted part of evidence.
const Redacted = "[redacted]"

// Excerpt joins the evidence lines of a failure into one stored excerpt:
// every secret replaced, every identifier-shaped run of digits replaced
// (a practitioner's SNILS quoted from an answer is still personal data),
// and at most MaxEvidence bytes, cut on a rune boundary.
func Excerpt(evidence []string, secrets ...string) string {
	s := strings.Join(evidence, "\n")
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	s = identifierLike.ReplaceAllString(s, Redacted)
	if len(s) <= MaxEvidence {
		return s
	}
	cut := MaxEvidence - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
