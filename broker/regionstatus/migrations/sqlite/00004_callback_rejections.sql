-- +goose Up
-- Status callbacks refused per region and reason (bad or missing
-- signature, stale timestamp, a verified body that does not decode), over
-- every instance, for "federation regions status"; the metric
-- federation_callbacks_rejected_total counts the same per instance.
-- Times are Unix nanoseconds (UTC).
CREATE TABLE region_callback_rejections (
    region   TEXT   NOT NULL,
    reason   TEXT   NOT NULL,
    rejected BIGINT NOT NULL,
    last_at  BIGINT NOT NULL,
    PRIMARY KEY (region, reason)
);

-- +goose Down
DROP TABLE region_callback_rejections;
