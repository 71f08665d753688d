-- +goose Up
-- How many timeline entries a booking has, so that a saga step can append
-- its entries without reading the timeline first.
ALTER TABLE bookings ADD COLUMN timeline_len INTEGER NOT NULL DEFAULT 0;
UPDATE bookings SET timeline_len = (SELECT COUNT(*) FROM booking_timeline t WHERE t.booking_id = bookings.id);

-- +goose Down
ALTER TABLE bookings DROP COLUMN timeline_len;
