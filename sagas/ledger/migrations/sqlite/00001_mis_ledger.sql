-- +goose Up
-- Which MIS appointment answers which saga step, for MIS styles without
-- idempotency keys (the soap kind): the intent is written before the MIS
-- call, the appointment id after it. No personal identifier is kept: the
-- session ref is the MIS's own token. Times are Unix nanoseconds (UTC).
CREATE TABLE mis_ledger (
    region         TEXT   NOT NULL,
    step_key       TEXT   NOT NULL,
    slot_id        TEXT   NOT NULL,
    session_ref    TEXT   NOT NULL,
    appointment_id TEXT   NOT NULL DEFAULT '',
    state          TEXT   NOT NULL DEFAULT 'intent' CHECK (state IN ('intent', 'done')),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (region, step_key)
);

-- +goose Down
DROP TABLE mis_ledger;
