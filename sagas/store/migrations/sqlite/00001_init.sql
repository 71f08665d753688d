-- +goose Up
-- Times are Unix nanoseconds (UTC) so the same queries run on every dialect.
CREATE TABLE bookings (
    id             TEXT PRIMARY KEY,
    citizen        TEXT    NOT NULL, -- keyed pseudonym, never the subject in clear
    region         TEXT    NOT NULL,
    slot           TEXT    NOT NULL, -- JSON SlotSnapshot
    status         TEXT    NOT NULL,
    reason         TEXT    NOT NULL DEFAULT '',
    step           TEXT    NOT NULL,
    appointment_id TEXT    NOT NULL DEFAULT '',
    hold_expires   INTEGER NOT NULL DEFAULT 0,
    patient_sealed BLOB,
    correlation_id TEXT    NOT NULL DEFAULT '',
    deadline       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL
);
CREATE INDEX bookings_by_citizen ON bookings (citizen, created_at DESC);
CREATE INDEX bookings_pending_by_deadline ON bookings (deadline) WHERE status = 'pending';

CREATE TABLE booking_timeline (
    booking_id TEXT    NOT NULL REFERENCES bookings (id),
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    PRIMARY KEY (booking_id, seq)
);

CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id     TEXT    NOT NULL,
    topic      TEXT    NOT NULL,
    msg_key    TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    metadata   TEXT    NOT NULL, -- JSON object
    created_at INTEGER NOT NULL
);

CREATE TABLE idempotency_keys (
    citizen      TEXT    NOT NULL,
    idem_key     TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0, -- 0 while the first request is in flight
    response     BLOB,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (citizen, idem_key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE outbox;
DROP TABLE booking_timeline;
DROP TABLE bookings;
