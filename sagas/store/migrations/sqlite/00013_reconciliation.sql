-- +goose Up
-- One row per region that reconciliation ever ran for (sagas/reconcile):
-- the lease that lets one pass at a time run per region, whichever
-- instance or tool starts it (holder, lease_until in Unix nanoseconds; 0
-- when free), and the last finished pass, which operators read
-- ("federation reconcile --status", "federation regions status").
CREATE TABLE reconcile_passes (
    region      TEXT PRIMARY KEY,
    holder      TEXT    NOT NULL DEFAULT '',
    lease_until INTEGER NOT NULL DEFAULT 0,
    started_at  INTEGER NOT NULL DEFAULT 0,
    finished_at INTEGER NOT NULL DEFAULT 0,
    checked     INTEGER NOT NULL DEFAULT 0,
    found       INTEGER NOT NULL DEFAULT 0,
    repaired    INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT ''
);
-- The patient sweeper: confirmed bookings of a region read only by patient
-- (jsonrpc) keep their sealed identifiers for reconciliation until their
-- slot ended a grace ago (sagas/store ErasePatientsPast).
CREATE INDEX bookings_patient_kept ON bookings (slot_end) WHERE patient_sealed IS NOT NULL AND step = 'done';

-- +goose Down
DROP INDEX bookings_patient_kept;
DROP TABLE reconcile_passes;
