-- +goose Up
-- What the API remembers of a citizen's state-changing request made with an
-- Idempotency-Key: the request's fingerprint and, once known, the answer.
-- Times are Unix nanoseconds (UTC).
CREATE TABLE idempotency_records (
    owner        TEXT    NOT NULL, -- the citizen's keyed pseudonym
    idem_key     TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0, -- 0 while the first request is in flight
    response     BLOB,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    PRIMARY KEY (owner, idem_key)
);
CREATE INDEX idempotency_records_by_age ON idempotency_records (created_at);

-- +goose Down
DROP TABLE idempotency_records;
