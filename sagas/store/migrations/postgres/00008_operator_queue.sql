-- +goose Up
-- Feed regions' bookings (saga_kind 'operator') have no MIS to refuse a
-- second hold: the broker arbitrates their slots itself. mis_slot_id is the
-- region's slot id, set for those bookings only ('' for the others), and
-- at most one live booking (pending, confirmed, or cancelling until the
-- operator acknowledges) may hold a slot. A declined, failed or cancelled
-- booking leaves the index, which frees the slot.
ALTER TABLE bookings ADD COLUMN mis_slot_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX bookings_feed_slot ON bookings (region, mis_slot_id)
    WHERE saga_kind = 'operator' AND status IN ('pending', 'confirmed', 'cancelling');
-- The operator queue of a region: what awaits an operator, oldest first.
CREATE INDEX bookings_operator_queue ON bookings (region, updated_at, id)
    WHERE saga_kind = 'operator' AND step IN ('operator', 'operator_cancel');

-- +goose Down
DROP INDEX bookings_operator_queue;
DROP INDEX bookings_feed_slot;
ALTER TABLE bookings DROP COLUMN mis_slot_id;
