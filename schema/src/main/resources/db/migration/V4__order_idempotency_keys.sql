-- Issue 14: the database keeps every promise a Redis failover could break.
--
-- An order remembers the idempotency key its reservation was made with, and one key makes at most one order per buyer
-- and sale (reservation ids are derived from the key, so the primary key already says so; this constraint holds even
-- for ids made another way). Reconciliation restores lost key mappings in Redis from it. NULL for orders written before.
ALTER TABLE orders ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX orders_sale_buyer_key_idx ON orders (sale_id, buyer_id, idempotency_key);
-- The unique index leads with (sale_id, buyer_id): the fence's sum of a buyer's units uses it.
DROP INDEX orders_sale_buyer_idx;

-- DUPLICATE_KEY: the database refused an order because the buyer's key already made one.
ALTER TABLE releases DROP CONSTRAINT releases_reason_check;
ALTER TABLE releases ADD CONSTRAINT releases_reason_check
    CHECK (reason IN ('HOLD_EXPIRED', 'CLAIM_EXPIRED', 'SOLD_OUT', 'BUYER_LIMIT', 'DUPLICATE_KEY'));
