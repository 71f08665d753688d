-- +goose Up
-- Admission reads each region's oldest booking still waiting for its hold
-- (broker/bookings/admission.go); only those rows are in the index.
CREATE INDEX bookings_waiting ON bookings (region, created_at) WHERE step = 'hold';

-- +goose Down
DROP INDEX bookings_waiting;
