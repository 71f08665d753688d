-- +goose Up
-- Reconciliation pages a region's bookings with an MIS appointment by id
-- (ReconcileBookings). Over bookings_by_appointment each page read every
-- such booking of the region and sorted them, so a pass grew with the
-- square of the history; this index walks them in id order from the
-- cursor and filters by slot end without reading the rows that fail it.
CREATE INDEX bookings_reconcile ON bookings (region, id, slot_end)
    WHERE appointment_id <> '' AND saga_kind <> 'operator';

-- +goose Down
DROP INDEX bookings_reconcile;
