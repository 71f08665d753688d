-- +goose Up
-- Every read of a booking loads its patient keys by booking id; the
-- primary key (patient_key, booking_id) serves only the history's lookup
-- by key, so without this index each read scanned the whole table and
-- every saga step grew slower as bookings accumulated.
CREATE INDEX booking_patient_keys_by_booking ON booking_patient_keys (booking_id);

-- +goose Down
DROP INDEX booking_patient_keys_by_booking;
