-- +goose Up
-- Compensations and cancellations that stopped moving (their command lost
-- or dead-lettered) are found by this index and sent a new command.
CREATE INDEX bookings_stalled ON bookings (updated_at) WHERE step IN ('release', 'cancel');

-- +goose Down
DROP INDEX bookings_stalled;
