-- +goose Up
-- The live conformance probes (docs/operations.md, "Live conformance
-- probes"): the latest result of every requirement probed in a region,
-- the history of runs (pruned after the retention), and the lease that
-- lets one instance at a time probe a region. Times are Unix nanoseconds
-- (UTC), durations nanoseconds.
CREATE TABLE probe_results (
    region      TEXT    NOT NULL,
    requirement TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    required    INTEGER NOT NULL,
    status      TEXT    NOT NULL, -- pass, fail, skip
    evidence    TEXT    NOT NULL, -- a redacted excerpt: no secret, no identifier
    duration    BIGINT  NOT NULL,
    checked_at  BIGINT  NOT NULL,
    PRIMARY KEY (region, requirement)
);

CREATE TABLE probe_runs (
    region      TEXT    NOT NULL,
    started_at  BIGINT  NOT NULL,
    finished_at BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    passed      INTEGER NOT NULL,
    failed      INTEGER NOT NULL,
    skipped     INTEGER NOT NULL,
    failed_ids  TEXT    NOT NULL, -- comma-separated requirement IDs
    error       TEXT    NOT NULL, -- why the run could not run at all, or ''
    PRIMARY KEY (region, started_at)
);
CREATE INDEX probe_runs_by_age ON probe_runs (started_at);

CREATE TABLE probe_leases (
    region      TEXT   NOT NULL PRIMARY KEY,
    holder      TEXT   NOT NULL,
    lease_until BIGINT NOT NULL
);

-- +goose Down
DROP TABLE probe_leases;
DROP TABLE probe_runs;
DROP TABLE probe_results;
