package main

import (
	"regexp"
	"strings"
)

var (
	stringLit    = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	matchers     = regexp.MustCompile(`\{[^}]*\}`)
	ranges       = regexp.MustCompile(`\[[^\]]*\]`)
	numbers      = regexp.MustCompile(`\b[0-9][0-9a-zA-Z.]*`) // 0.99, 1e3, 5m
	grouping     = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	labelValues  = regexp.MustCompile(`label_values\(\s*([^,)]+?)\s*(?:,[^)]*)?\)`)
	identifier   = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	promKeywords = map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "and": true,
		"or": true, "unless": true, "bool": true, "offset": true, "group_left": true, "group_right": true, "inf": true, "nan": true}
)

// metricNames returns the metric names a PromQL expression (or a Grafana
// label_values(...) definition) selects: identifiers that are not
// functions, keywords, label names or Grafana variables.
func metricNames(expr string) []string {
	s := labelValues.ReplaceAllString(expr, "$1")
	s = stringLit.ReplaceAllString(s, `""`)
	s = matchers.ReplaceAllString(s, " ")
	s = ranges.ReplaceAllString(s, " ")
	s = numbers.ReplaceAllString(s, " ")
	s = grouping.ReplaceAllString(s, " ")
	var names []string
	seen := map[string]bool{}
	for _, loc := range identifier.FindAllStringSubmatchIndex(s, -1) {
		tok := s[loc[0]:loc[1]]
		if loc[2] >= 0 || promKeywords[strings.ToLower(tok)] || seen[tok] {
			continue // a function call, a keyword or a repeat
		}
		if loc[0] > 0 && s[loc[0]-1] == '$' {
			continue // a Grafana variable
		}
		seen[tok] = true
		names = append(names, tok)
	}
	return names
}

// personalWords would only appear in a query that exposes citizens; the
// metrics carry none, and the dashboard must keep it so.
var personalWords = []string{"snils", "oms", "policy", "citizen", "patient", "subject", "pseudonym"}

func personalWord(q string) string {
	lower := strings.ToLower(q)
	for _, w := range personalWords {
		if regexp.MustCompile(`\b` + w + `\b`).MatchString(lower) {
			return w
		}
	}
	return ""
}
