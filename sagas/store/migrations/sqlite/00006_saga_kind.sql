-- +goose Up
-- Which saga drives the booking now (booking or cancellation), stored rather
-- than inferred from the step, so a new saga kind can share a step name.
ALTER TABLE bookings ADD COLUMN saga_kind TEXT NOT NULL DEFAULT 'booking';
UPDATE bookings SET saga_kind = 'cancellation' WHERE step = 'cancel' OR status IN ('cancelling', 'cancelled');

-- +goose Down
ALTER TABLE bookings DROP COLUMN saga_kind;
