// Package sqldbtest gives every store's tests the same two real databases:
// SQLite in a temporary directory always, and PostgreSQL when DATABASE_URL
// names one (each test then gets a schema of its own, dropped at the end).
// Without DATABASE_URL the PostgreSQL half skips with a message, so
// `go test ./...` needs nothing installed; .ci/run sets it.
package sqldbtest

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection below

	"github.com/fedhealth/federation/sagas/sqldb"
)

// Open returns a new, empty database and a function that opens a second,
// separate handle onto the same database, as a second broker instance
// would have it. Both close when the test ends.
type Open func(t *testing.T) (db *sqldb.DB, another func() *sqldb.DB)

// Each runs fn once per dialect: "sqlite" always, "postgres" when
// DATABASE_URL is set (skipped with a message otherwise).
func Each(t *testing.T, fn func(t *testing.T, open Open)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite) })
	t.Run("postgres", func(t *testing.T) {
		RequirePostgres(t)
		fn(t, Postgres)
	})
}

// SQLite opens a new SQLite database in the test's temporary directory.
func SQLite(t *testing.T) (*sqldb.DB, func() *sqldb.DB) {
	t.Helper()
	cfg := sqldb.Config{Path: filepath.Join(t.TempDir(), "test.db")}
	return open(t, cfg), func() *sqldb.DB { return open(t, cfg) }
}

// Postgres opens a fresh schema of the database at DATABASE_URL (see
// FreshSchema).
func Postgres(t *testing.T) (*sqldb.DB, func() *sqldb.DB) {
	t.Helper()
	cfg := sqldb.Config{PostgresURL: FreshSchema(t)}
	return open(t, cfg), func() *sqldb.DB { return open(t, cfg) }
}

func open(t *testing.T, cfg sqldb.Config) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// RequirePostgres returns DATABASE_URL, or skips the test without it.
func RequirePostgres(t *testing.T) string {
	t.Helper()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		t.Skip("DATABASE_URL not set: the PostgreSQL half of this test is skipped (.ci/run sets it)")
	}
	return base
}

// FreshSchema creates a uniquely named schema in the database at
// DATABASE_URL, drops it when the test ends, and returns a URL whose
// search_path puts everything in it.
func FreshSchema(t *testing.T) string {
	t.Helper()
	base := RequirePostgres(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := "storetest_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
