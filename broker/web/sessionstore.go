package web

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedhealth/federation/sagas/sqldb"
)

//go:embed migrations
var sessionMigrations embed.FS

// SessionStore keeps the pages' sessions in the shared database (table
// web_sessions), so every broker instance behind a balancer knows every
// session: an scs.Store and scs.CtxStore. It is safe for concurrent use.
//
// Written here over sagas/sqldb rather than taken from scs's own stores
// because those want a *sql.DB of one dialect (sqlite3store also
// julianday() on a mattn driver, postgresstore lib/pq's), while every
// store of this broker runs over the one sqldb.DB and its two dialects;
// the store is the three statements of scs.Store. It also keys rows by a
// hash of the cookie, which scs's stores do not.
type SessionStore struct {
	db  *sqldb.DB
	now func() time.Time
}

// NewSessionStore returns the store over db, migrating its table unless
// skipMigrations. A nil now means time.Now.
func NewSessionStore(ctx context.Context, db *sqldb.DB, skipMigrations bool, now func() time.Time, logger *slog.Logger) (*SessionStore, error) {
	if !skipMigrations {
		if err := db.Migrate(ctx, "web sessions", sessionMigrations, "web_schema_version", logger); err != nil {
			return nil, err
		}
	}
	if now == nil {
		now = time.Now
	}
	return &SessionStore{db: db, now: now}, nil
}

// tokenHash is the row's key: the cookie's value is the credential, so
// the table holds only its hash.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// FindCtx returns the session's data; found is false when it is unknown
// or expired.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = s.db.R.QueryRowContext(ctx, s.db.Dialect.Bind(`SELECT data FROM web_sessions WHERE token_hash = ? AND expiry > ?`),
		tokenHash(token), sqldb.Nanos(s.now())).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, sqldb.Classify(fmt.Errorf("web: read session: %w", err))
	}
	return b, true, nil
}

// CommitCtx stores the session's data until expiry, replacing any before.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`INSERT INTO web_sessions (token_hash, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`),
		tokenHash(token), b, sqldb.Nanos(expiry))
	if err != nil {
		return sqldb.Classify(fmt.Errorf("web: write session: %w", err))
	}
	return nil
}

// DeleteCtx forgets the session; an unknown one is no error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM web_sessions WHERE token_hash = ?`), tokenHash(token)); err != nil {
		return sqldb.Classify(fmt.Errorf("web: delete session: %w", err))
	}
	return nil
}

// Find is FindCtx without a context (scs.Store).
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context (scs.Store).
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context (scs.Store).
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// Purge deletes the expired sessions (Find already ignores them; this
// keeps the table small) and returns how many it deleted.
func (s *SessionStore) Purge(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Dialect.Bind(`DELETE FROM web_sessions WHERE expiry <= ?`), sqldb.Nanos(s.now()))
	if err != nil {
		return 0, sqldb.Classify(fmt.Errorf("web: purge sessions: %w", err))
	}
	return res.RowsAffected()
}
