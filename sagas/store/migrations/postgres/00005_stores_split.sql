-- +goose Up
-- Idempotency records and region status moved to the packages that own
-- them (broker/idempotency, broker/regionstatus), each with its own tables
-- and migrations. Idempotency records are short-lived, and a repeated
-- booking request still finds its booking (its id derives from the key);
-- region status is recorded again at the next breaker transition.
DROP TABLE IF EXISTS idempotency_keys;
DROP TABLE IF EXISTS region_status;

-- +goose Down
SELECT 1;
