package sqldb

import "testing"

func TestNumberPlaceholders(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"placeholders are numbered in order", "a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"a question mark in a string literal stays", "a = '?' AND b = ?", "a = '?' AND b = $1"},
		{"a query without placeholders is unchanged", "SELECT 1", "SELECT 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := numberPlaceholders(tc.in); got != tc.want {
				t.Errorf("numberPlaceholders(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := Postgres.List(3); got != "$1, $2, $3" {
		t.Errorf("postgres list(3) = %q", got)
	}
	if got := SQLite.List(2); got != "?, ?" {
		t.Errorf("sqlite list(2) = %q", got)
	}
}
