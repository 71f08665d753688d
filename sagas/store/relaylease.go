package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// relayLease makes one broker instance at a time the publisher of a
// PostgreSQL outbox. Several instances share one outbox table; if each
// fetched the oldest rows, all would publish every message. Row claims
// (SELECT ... FOR UPDATE SKIP LOCKED, or a claimed_until lease per row)
// would let them publish in parallel, but then two messages of one booking
// could leave through two instances in the wrong order, and a claim that
// spans a Kafka publish holds a transaction open or needs a lease timeout.
// Instead the instance whose FetchOutbox first takes a session-level
// advisory lock publishes everything, in seq order, and the others fetch
// nothing until it goes away: the lock lives as long as the database
// session holding it, so when that instance stops, crashes or loses its
// connection, the next instance to poll takes over (within its relay's
// poll interval). Messages published but not yet deleted when it goes are
// published again by the next one: at least once, as the consumers expect.
//
// Commits on other instances wake the publisher through LISTEN/NOTIFY (a
// trigger on the outbox notifies), so it does not wait for its next poll.
type relayLease struct {
	bg context.Context // ends at Close

	mu         sync.Mutex
	conn       *sql.Conn // holds the advisory lock; nil when not the publisher
	stopListen context.CancelFunc
}

// outboxLockQuery takes the publisher lock of the current schema, so
// brokers (and tests) in separate schemas of one database do not contend.
const outboxLockQuery = `SELECT pg_try_advisory_lock(hashtextextended('federation.outbox.' || current_schema(), 0))`

// leaseConn returns the connection holding the publisher lock, taking the
// lock if it is free, or nil when another instance holds it. Callers hold
// l.mu.
func (s *DB) leaseConn(ctx context.Context) (*sql.Conn, error) {
	l := &s.relay
	if l.conn != nil {
		return l.conn, nil
	}
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: outbox lease: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, outboxLockQuery).Scan(&got); err != nil || !got {
		conn.Close()
		if err != nil {
			return nil, fmt.Errorf("store: outbox lease: %w", err)
		}
		return nil, nil
	}
	s.logger.Info("store: this instance now publishes the outbox")
	l.conn = conn
	listen, stop := context.WithCancel(l.bg)
	l.stopListen = stop
	go s.listenOutbox(listen)
	return conn, nil
}

// dropLocked gives the lease up by discarding its session (which releases
// the advisory lock), rather than returning the session to the pool still
// holding it. Callers hold l.mu.
func (l *relayLease) dropLocked() {
	if l.conn == nil {
		return
	}
	l.stopListen()
	_ = l.conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = l.conn.Close()
	l.conn = nil
}

func (l *relayLease) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropLocked()
}

// listenOutbox wakes this instance's relay whenever any instance commits
// outbox messages, until ctx ends.
func (s *DB) listenOutbox(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.waitNotifications(ctx)
		if ctx.Err() != nil {
			return
		}
		s.logger.Warn("store: outbox notifications lost; relay falls back to polling until they resume", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (s *DB) waitNotifications(ctx context.Context) error {
	conn, err := s.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, "LISTEN federation_outbox"); err != nil {
			return err
		}
		s.notifyOutbox() // catch up on commits made before LISTEN
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				// A listening session must not go back to the pool.
				return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
			}
			s.notifyOutbox()
		}
	})
}
