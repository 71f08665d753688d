-- +goose Up
-- The answers given to verified status callbacks, by region and webhook-id,
-- so a repeated delivery is answered exactly as the first (Standard
-- Webhooks: the sender retries with the same id). Swept after a TTL.
-- Times are Unix nanoseconds (UTC).
CREATE TABLE callback_deliveries (
    region       TEXT    NOT NULL,
    webhook_id   TEXT    NOT NULL,
    status_code  INTEGER NOT NULL,
    content_type TEXT    NOT NULL,
    response     BYTEA   NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (region, webhook_id)
);
CREATE INDEX callback_deliveries_by_age ON callback_deliveries (created_at);

-- +goose Down
DROP TABLE callback_deliveries;
