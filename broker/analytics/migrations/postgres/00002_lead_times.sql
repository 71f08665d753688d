-- +goose Up
-- How far ahead the next free slot was when citizens searched from today
-- (contracts.SlotLeadTime samples, at most one per region and specialty a
-- minute), by UTC day, region and specialty, in the buckets of
-- analytics.WaitingBounds (hours). Samples, not people: no citizen is in
-- them. Their event ids share analytics_processed_events.
CREATE TABLE analytics_lead_times (
    day       TEXT   NOT NULL,
    region    TEXT   NOT NULL,
    specialty TEXT   NOT NULL,
    bucket    BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (day, region, specialty, bucket)
);

-- +goose Down
DROP TABLE analytics_lead_times;
