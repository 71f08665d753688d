-- +goose Up
-- The analytics read model (broker/analytics). No column holds a booking
-- id, a citizen's subject or pseudonym, or a patient identifier: only
-- counts by UTC day, region, specialty and outcome, histograms with fixed
-- buckets, and the ids of processed events (random UUIDs the outbox gave
-- each event, which name no booking). Times are Unix nanoseconds (UTC).

-- One row per event applied: a redelivered event finds its id here and
-- changes nothing (the aggregates are updated in the same transaction).
CREATE TABLE analytics_processed_events (
    event_id   TEXT   NOT NULL PRIMARY KEY,
    applied_at BIGINT NOT NULL
);

-- Base cells: events by UTC day (YYYY-MM-DD) x region x specialty x outcome.
CREATE TABLE analytics_outcomes (
    day       TEXT   NOT NULL,
    region    TEXT   NOT NULL,
    specialty TEXT   NOT NULL,
    outcome   TEXT   NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (day, region, specialty, outcome)
);

-- End-to-end latency of the booking saga (final event - request), by day
-- and region, in fixed buckets (bucket = index into analytics.LatencyBounds).
CREATE TABLE analytics_latency (
    day    TEXT   NOT NULL,
    region TEXT   NOT NULL,
    bucket BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (day, region, bucket)
);

-- Waiting time to the appointment (slot start - request) of confirmed
-- bookings, by day, region and specialty (analytics.WaitingBounds).
CREATE TABLE analytics_waiting (
    day       TEXT   NOT NULL,
    region    TEXT   NOT NULL,
    specialty TEXT   NOT NULL,
    bucket    BIGINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (day, region, specialty, bucket)
);

-- The consumer's state: the generation names its consumer group (a
-- rebuild starts the next one, which reads the topic from its start) and
-- the time of the newest event applied.
CREATE TABLE analytics_consumer (
    id            BIGINT NOT NULL PRIMARY KEY,
    generation    BIGINT NOT NULL,
    last_event_at BIGINT NOT NULL,
    applied       BIGINT NOT NULL
);
INSERT INTO analytics_consumer (id, generation, last_event_at, applied) VALUES (1, 1, 0, 0);

-- Every breaker transition any instance saw (regionstatus keeps only the
-- latest), for the per-region history.
CREATE TABLE analytics_breaker_transitions (
    region   TEXT   NOT NULL,
    status   TEXT   NOT NULL,
    instance TEXT   NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX analytics_breaker_transitions_region_at ON analytics_breaker_transitions (region, at);


-- +goose Down
DROP TABLE analytics_breaker_transitions;
DROP TABLE analytics_consumer;
DROP TABLE analytics_waiting;
DROP TABLE analytics_latency;
DROP TABLE analytics_outcomes;
DROP TABLE analytics_processed_events;
