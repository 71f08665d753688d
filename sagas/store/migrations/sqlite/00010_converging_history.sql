-- +goose Up
-- The clinic's side of a booking's life (docs/history.md). Rows written
-- before these columns read as the portal's: source 'portal', and their
-- reason and detail codes are derived at read time from the English
-- sentence the rows keep (sagas.CodeOf), so no text is rewritten here.
ALTER TABLE bookings ADD COLUMN reason_code TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN cancelled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN source TEXT NOT NULL DEFAULT 'portal';
ALTER TABLE bookings ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN clinic_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN clinic_seq INTEGER NOT NULL DEFAULT 0;
-- A clinic's change names the appointment by the MIS's id.
CREATE INDEX bookings_by_appointment ON bookings (region, appointment_id) WHERE appointment_id <> '';

ALTER TABLE booking_timeline ADD COLUMN source TEXT NOT NULL DEFAULT 'portal';
ALTER TABLE booking_timeline ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE booking_timeline ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE booking_timeline ADD COLUMN prev_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE booking_timeline ADD COLUMN prev_end INTEGER NOT NULL DEFAULT 0;

-- Keyed hashes of the patient's SNILS and OMS: how a booking made through
-- another channel finds its citizen. Old rows have none (their citizen
-- column finds them).
CREATE TABLE booking_patient_keys (
    patient_key TEXT NOT NULL,
    booking_id  TEXT NOT NULL REFERENCES bookings (id),
    PRIMARY KEY (patient_key, booking_id)
);

-- Clinic events applied, by id: written in the transaction that applies
-- one, so a repeat is refused by the key.
CREATE TABLE clinic_events_applied (
    event_id   TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL,
    applied_at INTEGER NOT NULL
);

-- Clinic events for an appointment no booking has yet: listed by
-- "federation ops clinic-unmatched" and retried when one appears.
CREATE TABLE clinic_events_unmatched (
    event_id       TEXT PRIMARY KEY,
    region         TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    payload        BLOB NOT NULL,
    received_at    INTEGER NOT NULL
);
CREATE INDEX clinic_events_unmatched_by_appointment ON clinic_events_unmatched (region, appointment_id);

-- +goose Down
DROP TABLE clinic_events_unmatched;
DROP TABLE clinic_events_applied;
DROP TABLE booking_patient_keys;
DROP INDEX bookings_by_appointment;
ALTER TABLE booking_timeline DROP COLUMN prev_end;
ALTER TABLE booking_timeline DROP COLUMN prev_start;
ALTER TABLE booking_timeline DROP COLUMN note;
ALTER TABLE booking_timeline DROP COLUMN code;
ALTER TABLE booking_timeline DROP COLUMN source;
ALTER TABLE bookings DROP COLUMN clinic_seq;
ALTER TABLE bookings DROP COLUMN clinic_at;
ALTER TABLE bookings DROP COLUMN channel;
ALTER TABLE bookings DROP COLUMN source;
ALTER TABLE bookings DROP COLUMN cancelled_by;
ALTER TABLE bookings DROP COLUMN reason_code;
