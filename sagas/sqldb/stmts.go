package sqldb

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache prepares each query text once per pool and reuses it: parsing
// SQL was a tenth of the broker's CPU under load. database/sql re-prepares
// a statement transparently on each connection that needs it. Query texts
// are constants or short generated lists, so the cache stays small.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // query text -> *sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// Pool runs queries on a *sql.DB through the statement cache.
type Pool struct {
	c *stmtCache
	// group, on SQLite's writer pool, takes each statement run outside a
	// transaction into the next group commit (groupcommit.go); nil
	// otherwise.
	group *groupCommit
}

// ExecContext runs a statement. On SQLite's writer pool the statement
// joins the group commit, atomic on its own as before: a commit of its own
// cost a write of the WAL and held the one writing connection from the
// batches (the idempotency records and the outbox deletions are two such
// writes per booking).
func (p Pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if p.group != nil {
		// ctx bounds the wait for a batch (Tx, batched, does not cancel
		// the statement itself).
		var res sql.Result
		err := p.group.inTx(ctx, func(t Tx) error {
			var err error
			res, err = t.ExecContext(ctx, query, args...)
			return err
		})
		return res, err
	}
	st, err := p.c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query.
func (p Pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := p.c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a query expected to return at most one row.
func (p Pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.c.stmt(ctx, query)
	if err != nil {
		return p.c.db.QueryRowContext(ctx, query, args...) // reports the same error on Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// Tx runs queries inside a transaction. It uses a statement only once it
// is cached: preparing needs a connection from the pool, and the
// transaction may hold the pool's only one (the SQLite writer), so an
// uncached query runs unprepared and is prepared in the background for next
// time.
type Tx struct {
	tx *sql.Tx
	c  *stmtCache
	// batched: the transaction is a group commit's (groupcommit.go),
	// shared by several callers. Its statements run without their caller's
	// cancellation: a write interrupted inside a transaction makes SQLite
	// roll back the whole transaction, every other caller's writes with it.
	batched bool
}

// stmtCtx is the context a statement of t runs with.
func (t Tx) stmtCtx(ctx context.Context) context.Context {
	if t.batched {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (t Tx) cached(ctx context.Context, query string) *sql.Stmt {
	if st, ok := t.c.m.Load(query); ok {
		return t.tx.StmtContext(ctx, st.(*sql.Stmt))
	}
	go func() { _, _ = t.c.stmt(context.Background(), query) }()
	return nil
}

// ExecContext runs a statement in the transaction.
func (t Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = t.stmtCtx(ctx)
	if st := t.cached(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query in the transaction.
func (t Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = t.stmtCtx(ctx)
	if st := t.cached(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query in the transaction expected to return at most one row.
func (t Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = t.stmtCtx(ctx)
	if st := t.cached(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}
