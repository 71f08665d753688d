-- +goose Up
-- Per feed region: the latest polling state any broker instance saw of the
-- clinics' slot publisher, for operators ("federation regions status").
-- No personal data: times, counts, and an error text that names the
-- publisher's file, never a citizen.
CREATE TABLE region_feed_sync (
    region            TEXT   PRIMARY KEY,
    instance          TEXT   NOT NULL,
    availability      TEXT   NOT NULL,
    last_sync         BIGINT NOT NULL, -- Unix nanoseconds; 0 before the first
    last_attempt      BIGINT NOT NULL, -- Unix nanoseconds
    last_outcome      TEXT   NOT NULL,
    last_error        TEXT   NOT NULL,
    published         BIGINT NOT NULL, -- the manifest's transactionTime, Unix nanoseconds
    slots             BIGINT NOT NULL,
    free_slots        BIGINT NOT NULL,
    skipped           BIGINT NOT NULL, -- lines and resources skipped in the data set in force
    skipped_by_reason TEXT   NOT NULL, -- e.g. "malformed=2,too_long=1"
    refused_manifests BIGINT NOT NULL
);

-- +goose Down
DROP TABLE region_feed_sync;
