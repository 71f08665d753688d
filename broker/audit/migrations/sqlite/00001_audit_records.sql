-- +goose Up
-- The audit trail: one row per access to a citizen's personal data and per
-- operator action. Append-only: the triggers below refuse every UPDATE and
-- DELETE, and the code has no path that issues one. Times are Unix
-- nanoseconds (UTC). No personal identifier is stored in clear: a citizen
-- appears only as the keyed pseudonym the bookings are stored under.
CREATE TABLE audit_records (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE, -- the record's UUID, also its Kafka message UUID
    at             INTEGER NOT NULL,
    actor_kind     TEXT    NOT NULL, -- citizen | operator
    actor          TEXT    NOT NULL, -- citizen: keyed pseudonym; operator: the name given
    action         TEXT    NOT NULL, -- booking.read, saga.retry, ...
    booking_id     TEXT    NOT NULL DEFAULT '',
    target         TEXT    NOT NULL DEFAULT '', -- what else was acted on (a dead letter's position)
    status         INTEGER NOT NULL DEFAULT 0,  -- the HTTP status answered; 0 for operator commands
    outcome        TEXT    NOT NULL, -- ok | refused | failed
    detail         TEXT    NOT NULL DEFAULT '',
    reason         TEXT    NOT NULL DEFAULT '', -- the operator's reason
    correlation_id TEXT    NOT NULL DEFAULT '',
    client         TEXT    NOT NULL DEFAULT ''  -- the caller's address class: loopback | private | public
);
CREATE INDEX audit_records_by_time ON audit_records (at);
CREATE INDEX audit_records_by_booking ON audit_records (booking_id, at);
CREATE INDEX audit_records_by_actor ON audit_records (actor, at);

-- +goose StatementBegin
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only: DELETE refused');
END;
-- +goose StatementEnd

-- The records whose copy has not reached the audit topic yet. A row is
-- written in the transaction that appends its record and deleted once the
-- copy is published; claimed_until leases it to one publishing instance.
CREATE TABLE audit_outbox (
    record_seq    INTEGER PRIMARY KEY REFERENCES audit_records (seq),
    claimed_until INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE audit_outbox;
DROP TABLE audit_records;
