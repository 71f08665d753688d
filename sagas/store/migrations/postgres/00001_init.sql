-- +goose Up
-- The SQLite schema in PostgreSQL's types: times are Unix nanoseconds (UTC)
-- in BIGINT so the same queries run on every dialect.
CREATE TABLE bookings (
    id             TEXT PRIMARY KEY,
    citizen        TEXT   NOT NULL, -- keyed pseudonym, never the subject in clear
    region         TEXT   NOT NULL,
    slot           TEXT   NOT NULL, -- JSON SlotSnapshot
    status         TEXT   NOT NULL,
    reason         TEXT   NOT NULL DEFAULT '',
    step           TEXT   NOT NULL,
    appointment_id TEXT   NOT NULL DEFAULT '',
    hold_expires   BIGINT NOT NULL DEFAULT 0,
    patient_sealed BYTEA,
    correlation_id TEXT   NOT NULL DEFAULT '',
    deadline       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL
);
CREATE INDEX bookings_by_citizen ON bookings (citizen, created_at DESC);
CREATE INDEX bookings_pending_by_deadline ON bookings (deadline) WHERE status = 'pending';

CREATE TABLE booking_timeline (
    booking_id TEXT   NOT NULL REFERENCES bookings (id),
    seq        BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    status     TEXT   NOT NULL,
    detail     TEXT   NOT NULL,
    PRIMARY KEY (booking_id, seq)
);

CREATE TABLE outbox (
    seq        BIGSERIAL PRIMARY KEY,
    msg_id     TEXT   NOT NULL,
    topic      TEXT   NOT NULL,
    msg_key    TEXT   NOT NULL,
    payload    BYTEA  NOT NULL,
    metadata   TEXT   NOT NULL, -- JSON object
    created_at BIGINT NOT NULL
);

-- Wakes the relay of whichever instance publishes the outbox, once per
-- transaction that wrote to it (PostgreSQL folds equal notifications).
-- +goose StatementBegin
CREATE FUNCTION federation_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('federation_outbox', current_schema());
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION federation_outbox_notify();

CREATE TABLE idempotency_keys (
    citizen      TEXT    NOT NULL,
    idem_key     TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0, -- 0 while the first request is in flight
    response     BYTEA,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (citizen, idem_key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION federation_outbox_notify();
DROP TABLE outbox;
DROP TABLE booking_timeline;
DROP TABLE bookings;
