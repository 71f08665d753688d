-- +goose Up
-- The regional MIS's calls as the broker made them (the registry's call
-- observer, counted in memory by analytics.Recorder and added here every
-- few seconds): by UTC day, region, operation (hold, book, search_slots…)
-- and the breaker's verdict (ok, refused, failed, cut_short; open and shed
-- for calls never made, whose bucket is -1), their duration in the
-- buckets of analytics.MISCallBounds (milliseconds). Calls, not people:
-- no citizen is in them. Not rebuilt from any topic, so a rebuild keeps
-- them; every instance adds its own counts to the same rows.
CREATE TABLE analytics_mis_calls (
    day     TEXT   NOT NULL,
    region  TEXT   NOT NULL,
    op      TEXT   NOT NULL,
    outcome TEXT   NOT NULL,
    bucket  BIGINT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (day, region, op, outcome, bucket)
);

-- +goose Down
DROP TABLE analytics_mis_calls;
