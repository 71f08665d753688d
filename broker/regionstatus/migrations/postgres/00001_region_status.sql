-- +goose Up
-- The latest breaker transition of each region seen by any broker
-- instance, so that every instance tells citizens the same status.
CREATE TABLE region_status_latest (
    region     TEXT   PRIMARY KEY,
    status     TEXT   NOT NULL,
    instance   TEXT   NOT NULL,
    changed_at BIGINT NOT NULL -- Unix nanoseconds
);

-- +goose Down
DROP TABLE region_status_latest;
