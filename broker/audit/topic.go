package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fedhealth/federation/sagas"
	"github.com/fedhealth/federation/sagas/sqldb"
)

// Topic carries a copy of every record as Message v1, keyed by booking id
// (by actor for records without a booking), so one booking's trail stays in
// order. The name is part of the wire: renaming it orphans the copies
// already published and every consumer reading it.
const Topic = "fed.audit.v1"

// MessageVersion is the version of Message the topic carries.
const MessageVersion = 1

// Message is a record as the audit topic carries it. A copy may come more
// than once (the relay delivers at least once): consumers deduplicate on
// the record's ID, which is also the message's UUID.
type Message struct {
	Version int `json:"v"`
	Record
}

// The outbox claims. A copy is leased to the instance that fetched it
// rather than locked for the whole publish: several instances may publish
// the audit outbox side by side (the order of records across bookings does
// not matter; a record carries its time and seq), and a lease that runs out
// lets another instance publish what a crashed one had fetched. On
// PostgreSQL SKIP LOCKED keeps two instances from claiming the same rows;
// SQLite has one writer anyway.
const (
	claimSQLite = `UPDATE audit_outbox SET claimed_until = ? WHERE record_seq IN (
		SELECT record_seq FROM audit_outbox WHERE claimed_until < ? ORDER BY record_seq LIMIT ?) RETURNING record_seq`
	claimPostgres = `UPDATE audit_outbox SET claimed_until = ? WHERE record_seq IN (
		SELECT record_seq FROM audit_outbox WHERE claimed_until < ? ORDER BY record_seq LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING record_seq`
)

// FetchOutbox claims up to limit of the oldest copies not yet published
// (nor claimed by an instance whose lease still runs) and returns them as
// messages for Topic, in order. With DeleteOutbox and OutboxSignal it makes
// the store a source for sagas/bus.Relay.
func (s *Store) FetchOutbox(ctx context.Context, limit int) ([]sagas.OutboxRecord, error) {
	now := s.now()
	rows, err := s.db.W.QueryContext(ctx, s.db.Dialect.Bind(s.claim), sqldb.Nanos(now.Add(s.lease)), sqldb.Nanos(now), limit)
	if err != nil {
		return nil, fmt.Errorf("audit: claim copies: %w", err)
	}
	var seqs []any
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			rows.Close()
			return nil, fmt.Errorf("audit: claim copies: %w", err)
		}
		seqs = append(seqs, seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(seqs) == 0 {
		return nil, err
	}
	return s.messages(ctx, seqs)
}

// messages reads the claimed records and makes their copies.
func (s *Store) messages(ctx context.Context, seqs []any) ([]sagas.OutboxRecord, error) {
	rows, err := s.db.W.QueryContext(ctx, `SELECT seq, `+recordColumns+` FROM audit_records WHERE seq IN (`+
		s.db.Dialect.List(len(seqs))+`) ORDER BY seq`, seqs...)
	if err != nil {
		return nil, fmt.Errorf("audit: read copies: %w", err)
	}
	defer rows.Close()
	var out []sagas.OutboxRecord
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: read copies: %w", err)
		}
		out = append(out, toOutbox(r))
	}
	return out, rows.Err()
}

func toOutbox(r Record) sagas.OutboxRecord {
	body, err := json.Marshal(Message{Version: MessageVersion, Record: r})
	if err != nil {
		panic("audit: record does not marshal: " + err.Error()) // strings, ints and a time: cannot happen
	}
	key := r.BookingID
	if key == "" {
		key = r.Actor
	}
	return sagas.OutboxRecord{Seq: r.Seq, OutboxMessage: sagas.OutboxMessage{
		ID: r.ID, Topic: Topic, Key: key, Payload: body,
		Metadata: map[string]string{sagas.MetaCorrelationID: r.CorrelationID, sagas.MetaKind: "audit"},
	}}
}

// DeleteOutbox forgets the copies that were published; the records stay.
func (s *Store) DeleteOutbox(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	args := make([]any, len(seqs))
	for i, q := range seqs {
		args[i] = q
	}
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM audit_outbox WHERE record_seq IN (`+s.db.Dialect.List(len(seqs))+`)`, args...)
	if err != nil {
		return fmt.Errorf("audit: forget published copies: %w", err)
	}
	return nil
}

// OutboxSignal receives after an Append of this process, so the relay
// publishes at once; records appended by other instances wait for its poll.
func (s *Store) OutboxSignal() <-chan struct{} { return s.signal }
