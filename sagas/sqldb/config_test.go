package sqldb_test

import (
	"strings"
	"testing"

	"github.com/fedhealth/federation/sagas/sqldb"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     sqldb.Config
		wantErr string
	}{
		{"a SQLite path alone is valid", sqldb.Config{Path: "x.db"}, ""},
		{"a PostgreSQL URL alone is valid", sqldb.Config{PostgresURL: "postgres://h/db"}, ""},
		{"neither database is missing one", sqldb.Config{}, "path or a PostgreSQL URL is required"},
		{"both databases conflict", sqldb.Config{Path: "x.db", PostgresURL: "postgres://h/db"}, "not both"},
		{"an in-memory SQLite database is refused", sqldb.Config{Path: ":memory:"}, "not :memory:"},
		{"a negative pool size is refused", sqldb.Config{Path: "x.db", MaxConns: -1}, "negative"},
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
