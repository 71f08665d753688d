-- +goose Up
-- The audit trail: one row per access to a citizen's personal data and per
-- operator action. Append-only: the triggers below refuse every UPDATE,
-- DELETE and TRUNCATE, and the code has no path that issues one. Times are
-- Unix nanoseconds (UTC). No personal identifier is stored in clear: a
-- citizen appears only as the keyed pseudonym the bookings are stored under.
CREATE TABLE audit_records (
    seq            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE, -- the record's UUID, also its Kafka message UUID
    at             BIGINT  NOT NULL,
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

-- Refuses every change to a stored record. Retention (archiving, then
-- dropping old records) is a DBA's job under a role of its own, which
-- disables these triggers for that job; the broker's role never does.
-- +goose StatementBegin
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_records_no_change BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();

-- The records whose copy has not reached the audit topic yet. A row is
-- written in the transaction that appends its record and deleted once the
-- copy is published; claimed_until leases it to one publishing instance.
CREATE TABLE audit_outbox (
    record_seq    BIGINT PRIMARY KEY REFERENCES audit_records (seq),
    claimed_until BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE audit_outbox;
DROP TABLE audit_records;
DROP FUNCTION audit_records_append_only();
