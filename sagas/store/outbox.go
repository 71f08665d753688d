package store

import (
	"context"
	"encoding/json"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb"
)

func (s *DB) enqueue(ctx context.Context, tx txn, msgs []sagas.OutboxMessage) error {
	now := nanos(s.now())
	for _, m := range msgs {
		// The message continues the trace of the transaction that emitted it.
		otel.GetTextMapPropagator().Inject(ctx, propagation.MapCarrier(m.Metadata))
		meta, err := json.Marshal(m.Metadata)
		if err != nil {
			return fmt.Errorf("store: encode metadata: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.d.Bind(`INSERT INTO outbox (msg_id, topic, msg_key, payload, metadata, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`), m.ID, m.Topic, m.Key, m.Payload, string(meta), now); err != nil {
			return fmt.Errorf("store: insert outbox: %w", err)
		}
	}
	return nil
}

func (s *DB) notifyOutbox() {
	select {
	case s.outboxSignal <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// OutboxSignal receives a value after commits that wrote outbox messages, so
// the relay publishes at once instead of waiting for its next poll.
func (s *DB) OutboxSignal() <-chan struct{} { return s.outboxSignal }

// FetchOutbox returns up to limit of the oldest unpublished messages, in
// order. On PostgreSQL only the instance holding the publisher lease gets
// any (see relayLease); the others get none until it goes away.
func (s *DB) FetchOutbox(ctx context.Context, limit int) ([]sagas.OutboxRecord, error) {
	if s.d != sqldb.Postgres {
		return s.fetchOutbox(ctx, s.r, limit)
	}
	s.relay.mu.Lock()
	defer s.relay.mu.Unlock()
	conn, err := s.leaseConn(ctx)
	if conn == nil || err != nil {
		return nil, err
	}
	recs, err := s.fetchOutbox(ctx, conn, limit)
	if err != nil {
		// The session may be gone, and the lock with it: take it anew next time.
		s.relay.dropLocked()
	}
	return recs, err
}

func (s *DB) fetchOutbox(ctx context.Context, q querier, limit int) ([]sagas.OutboxRecord, error) {
	rows, err := q.QueryContext(ctx, s.d.Bind(`SELECT seq, msg_id, topic, msg_key, payload, metadata
		FROM outbox ORDER BY seq LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: fetch outbox: %w", err)
	}
	defer rows.Close()
	var out []sagas.OutboxRecord
	for rows.Next() {
		var (
			r    sagas.OutboxRecord
			meta string
		)
		if err := rows.Scan(&r.Seq, &r.ID, &r.Topic, &r.Key, &r.Payload, &meta); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(meta), &r.Metadata); err != nil {
			return nil, fmt.Errorf("store: outbox %d metadata: %w", r.Seq, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteOutbox removes published messages.
func (s *DB) DeleteOutbox(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	args := make([]any, len(seqs))
	for i, q := range seqs {
		args[i] = q
	}
	_, err := s.w.ExecContext(ctx, `DELETE FROM outbox WHERE seq IN (`+s.d.List(len(seqs))+`)`, args...)
	if err != nil {
		return fmt.Errorf("store: delete outbox: %w", err)
	}
	return nil
}
