-- +goose Up
-- The reschedule saga (docs/history.md, "Reschedule"). move_state holds the move
-- in progress as JSON (sagas.Move: the new slot, the new hold, the old
-- appointment once replaced), '' when none runs; the booking's own slot
-- and appointment stay the old ones until the new is booked.
ALTER TABLE bookings ADD COLUMN move_state TEXT NOT NULL DEFAULT '';
-- A booking being rescheduled is live: it holds its old time, and the
-- guards read its new one from move_state.
DROP INDEX bookings_live_by_citizen;
CREATE INDEX bookings_live_by_citizen ON bookings (citizen, status, slot_end)
    WHERE status IN ('pending', 'confirmed', 'cancelling', 'rescheduling');
-- A reschedule that stopped moving (its command lost or dead-lettered) is
-- sent a new command, like a stalled release or cancellation: above all
-- the cancel of the old appointment, which must not be left standing.
DROP INDEX bookings_stalled;
CREATE INDEX bookings_stalled ON bookings (updated_at) WHERE step IN ('release', 'cancel',
    'reschedule_hold', 'reschedule_book', 'reschedule_release', 'reschedule_cancel', 'reschedule_shift');

-- +goose Down
DROP INDEX bookings_stalled;
CREATE INDEX bookings_stalled ON bookings (updated_at) WHERE step IN ('release', 'cancel');
DROP INDEX bookings_live_by_citizen;
CREATE INDEX bookings_live_by_citizen ON bookings (citizen, status, slot_end)
    WHERE status IN ('pending', 'confirmed', 'cancelling');
ALTER TABLE bookings DROP COLUMN move_state;
