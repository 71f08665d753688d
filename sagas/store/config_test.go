package store_test

import (
	"strings"
	"testing"

	"github.com/fedhealth/federation/sagas/store"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     store.Config
		wantErr string
	}{
		{"a SQLite path alone is valid", store.Config{Path: "x.db"}, ""},
		{"a PostgreSQL URL alone is valid", store.Config{PostgresURL: "postgres://h/db"}, ""},
		{"neither database is missing one", store.Config{}, "path or a PostgreSQL URL is required"},
		{"both databases conflict", store.Config{Path: "x.db", PostgresURL: "postgres://h/db"}, "not both"},
		{"an in-memory SQLite database is refused", store.Config{Path: ":memory:"}, "not :memory:"},
		{"a negative pool size is refused", store.Config{Path: "x.db", MaxConns: -1}, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Validate() = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
