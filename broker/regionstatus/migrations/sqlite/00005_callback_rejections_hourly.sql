-- +goose Up
-- The same refusals as region_callback_rejections, by the hour, so that
-- operators see how many came in the last 24 hours, not only in total.
-- hour is the hour's start in Unix nanoseconds (UTC); each write sweeps
-- its region and reason's hours older than two days, so the table stays
-- at most 49 rows per region and reason.
CREATE TABLE region_callback_rejections_hourly (
    region   TEXT   NOT NULL,
    reason   TEXT   NOT NULL,
    hour     BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    PRIMARY KEY (region, reason, hour)
);

-- +goose Down
DROP TABLE region_callback_rejections_hourly;
