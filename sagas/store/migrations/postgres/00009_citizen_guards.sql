-- +goose Up
-- The citizen guards (broker/bookings/guards.go) read a citizen's live
-- bookings whenever the citizen asks for another: no two may overlap in
-- time, and only so many may be active. slot_start and slot_end are the
-- booked slot's bounds in Unix nanoseconds (instants, whatever the region's
-- offset), mirrored from the slot JSON on every write, so the guards compare
-- times in SQL over an index instead of decoding every booking of the
-- citizen's history. Rows written before this migration get them from the
-- JSON.
ALTER TABLE bookings ADD COLUMN slot_start BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN slot_end BIGINT NOT NULL DEFAULT 0;
UPDATE bookings SET
    slot_start = CASE WHEN slot::jsonb ->> 'start' LIKE '0001-01-01T%' THEN 0
        ELSE (EXTRACT(EPOCH FROM (slot::jsonb ->> 'start')::timestamptz) * 1000000000)::BIGINT END,
    slot_end = CASE WHEN slot::jsonb ->> 'end' LIKE '0001-01-01T%' THEN 0
        ELSE (EXTRACT(EPOCH FROM (slot::jsonb ->> 'end')::timestamptz) * 1000000000)::BIGINT END;
-- Live bookings only: pending (feed bookings awaiting their operator
-- included), confirmed, cancelling. Confirmed ones are ranged by slot_end,
-- so visits long past are not read.
CREATE INDEX bookings_live_by_citizen ON bookings (citizen, status, slot_end)
    WHERE status IN ('pending', 'confirmed', 'cancelling');
-- One row per citizen who ever asked for a booking: the guard's lock. A
-- new booking's transaction upserts the citizen's row first, so on
-- PostgreSQL a second transaction of the same citizen waits on that row
-- until the first commits, and then reads the booking it made. SQLite needs
-- no lock (one writer at a time); the same statement runs there so the code
-- is one.
CREATE TABLE citizen_guards (
    citizen    TEXT PRIMARY KEY, -- keyed pseudonym, as bookings.citizen
    touched_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE citizen_guards;
DROP INDEX bookings_live_by_citizen;
ALTER TABLE bookings DROP COLUMN slot_end;
ALTER TABLE bookings DROP COLUMN slot_start;
