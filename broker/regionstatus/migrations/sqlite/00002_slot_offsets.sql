-- +goose Up
-- Per region: how many slots its MIS gave with a UTC offset that is not the
-- region's at that instant (refused, never shown to citizens), summed over
-- every broker instance, and the latest such slot, for operators. No
-- personal data: a slot id and two offsets.
CREATE TABLE region_slot_offsets (
    region        TEXT   PRIMARY KEY,
    mismatches    BIGINT NOT NULL,
    last_slot_id  TEXT   NOT NULL,
    last_got      TEXT   NOT NULL,
    last_want     TEXT   NOT NULL,
    last_instance TEXT   NOT NULL,
    last_seen_at  BIGINT NOT NULL -- Unix nanoseconds
);

-- +goose Down
DROP TABLE region_slot_offsets;
