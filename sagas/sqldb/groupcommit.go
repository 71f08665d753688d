package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// groupCommit runs the transactions of a SQLite database in batches: one
// goroutine owns the turn to write, takes every InTx that queued while the
// last batch committed, runs each in a savepoint of one transaction and
// commits them together. SQLite writes one transaction at a time anyway
// (the single writing connection, see openPool); what a batch saves is
// the per-transaction cost of BEGIN, the WAL frames of pages that several
// transactions touch (index and table pages shared by neighbouring rows
// are written once per batch rather than once per transaction) and COMMIT.
// Each InTx keeps its own atomicity: its savepoint is rolled back on its
// error and the others are committed; it returns only once its writes are
// committed (or with the error that kept them out). No request waits for
// others to arrive: a batch is what is already queued, so an idle
// database commits each transaction at once, as before.
//
// Hand-written, since database/sql has no group commit and no
// well-kept library adds one for SQLite; PostgreSQL groups commits in the
// server and does not use this.
type groupCommit struct {
	db    *sql.DB
	c     *stmtCache
	queue chan *txRequest
	// mu guards closed and the queue's closing: a request is queued only
	// while the queue is open.
	mu     sync.RWMutex
	closed bool
}

// errClosed answers an InTx after Close.
var errClosed = errors.New("store: the database is closed")

// maxBatch bounds a batch, so that one batch's commit never holds many
// callers' answers for long.
const maxBatch = 64

type txRequest struct {
	ctx  context.Context
	fn   func(Tx) error
	done chan txResult
}

type txResult struct {
	err   error
	panic any // fn panicked: re-raised in the caller's goroutine
}

func newGroupCommit(db *sql.DB, c *stmtCache) *groupCommit {
	g := &groupCommit{db: db, c: c, queue: make(chan *txRequest, 4*maxBatch)}
	go g.run()
	return g
}

// close ends the committer once what is queued has run; a later InTx
// answers errClosed.
func (g *groupCommit) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.closed = true
		close(g.queue)
	}
}

// inTx queues fn and waits for its batch. A caller whose ctx ends before
// its turn leaves the queue with ctx's error; once its turn has come, it
// waits for the commit like the others (its fn decides what ctx means).
func (g *groupCommit) inTx(ctx context.Context, fn func(Tx) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan txResult, 1)}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return errClosed
	}
	select {
	case g.queue <- r:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return Classify(ctx.Err())
	}
	res := <-r.done
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

func (g *groupCommit) run() {
	for first := range g.queue {
		batch := []*txRequest{first}
	take:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-g.queue:
				if !ok {
					break take
				}
				batch = append(batch, r)
			default:
				break take
			}
		}
		g.commit(batch)
	}
}

// commit runs batch in one transaction, each request in a savepoint.
func (g *groupCommit) commit(batch []*txRequest) {
	results := make([]txResult, len(batch))
	ran := make([]bool, len(batch)) // its fn ran and its savepoint was kept
	defer func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}()
	// The transaction is the batch's, not one caller's: a caller that
	// leaves must not roll back the others.
	tx, err := g.db.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range results {
			results[i].err = Classify(fmt.Errorf("store: begin: %w", err))
		}
		return
	}
	t := Tx{tx: tx, c: g.c, batched: true}
	if len(batch) == 1 {
		// Alone in its batch: a plain transaction. A savepoint would cost
		// a copy of every page the request changes (SQLite's
		// sub-journal) for a rollback the whole transaction can do.
		results[0] = g.alone(tx, t, batch[0])
		return
	}
	kept := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = Classify(err)
			continue
		}
		if _, err := tx.Exec("SAVEPOINT batched"); err != nil {
			results[i].err = Classify(fmt.Errorf("store: savepoint: %w", err))
			continue
		}
		res := runGuarded(r.fn, t)
		if res.err != nil || res.panic != nil {
			// Undo this request's writes only; a savepoint that cannot be
			// rolled back leaves the transaction unusable: end the batch.
			if err := rollbackTo(tx); err != nil {
				_ = tx.Rollback()
				failFrom(results, ran, i, res, err)
				return
			}
			results[i] = res
			continue
		}
		if _, err := tx.Exec("RELEASE batched"); err != nil {
			_ = tx.Rollback()
			failFrom(results, ran, i, txResult{}, err)
			return
		}
		ran[i] = true
		kept++
	}
	if kept == 0 {
		_ = tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		for i := range batch {
			if ran[i] {
				results[i].err = Classify(fmt.Errorf("store: commit: %w", err))
			}
		}
	}
}

// alone runs r as the batch's only transaction.
func (g *groupCommit) alone(tx *sql.Tx, t Tx, r *txRequest) txResult {
	if err := r.ctx.Err(); err != nil {
		_ = tx.Rollback()
		return txResult{err: Classify(err)}
	}
	res := runGuarded(r.fn, t)
	if res.err != nil || res.panic != nil {
		_ = tx.Rollback()
		return res
	}
	if err := tx.Commit(); err != nil {
		return txResult{err: Classify(fmt.Errorf("store: commit: %w", err))}
	}
	return txResult{}
}

// failFrom gives every request of a batch whose transaction was lost at
// request i the error that lost it: those that ran before i (their writes
// went with the transaction), i itself (unless its own result says more)
// and those after it (never run).
func failFrom(results []txResult, ran []bool, i int, own txResult, err error) {
	lost := Classify(fmt.Errorf("store: batched transaction lost: %w", err))
	for j := range results {
		switch {
		case j == i && (own.err != nil || own.panic != nil):
			results[j] = own
		case j == i, j > i, ran[j]:
			results[j] = txResult{err: lost}
		}
		ran[j] = false
	}
}

// rollbackTo undoes the writes since the savepoint and ends it.
func rollbackTo(tx *sql.Tx) error {
	if _, err := tx.Exec("ROLLBACK TO batched"); err != nil {
		return err
	}
	_, err := tx.Exec("RELEASE batched")
	return err
}

// runGuarded runs fn, catching a panic so that it reaches its caller and
// not the committer.
func runGuarded(fn func(Tx) error, t Tx) (res txResult) {
	defer func() {
		if p := recover(); p != nil {
			res = txResult{panic: p}
		}
	}()
	return txResult{err: fn(t)}
}
