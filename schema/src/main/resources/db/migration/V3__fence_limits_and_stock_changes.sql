-- Issue 12: the database guards the per-buyer limit, records every release with its reason, and makes a stock
-- change idempotent.

-- Expired holds are decided through the fence too (HOLD_EXPIRED), and the database refuses an order that would take a
-- buyer over the sale's per-buyer limit (BUYER_LIMIT).
ALTER TABLE releases DROP CONSTRAINT releases_reason_check;
ALTER TABLE releases ADD CONSTRAINT releases_reason_check
    CHECK (reason IN ('HOLD_EXPIRED', 'CLAIM_EXPIRED', 'SOLD_OUT', 'BUYER_LIMIT'));

-- The fence sums a buyer's ordered units in the sale under the sale's row lock.
CREATE INDEX orders_sale_buyer_idx ON orders (sale_id, buyer_id);

-- One row per stock change, written in the same transaction as the change: a retry of the same operation (a lost
-- COMMIT reply, a repeated admin request with the same Idempotency-Key) finds it and changes nothing.
CREATE TABLE stock_changes (
    sale_id      text        NOT NULL REFERENCES sales (id),
    operation_id text        NOT NULL,
    units        integer     NOT NULL CHECK (units >= 1),
    new_stock    integer     NOT NULL CHECK (new_stock >= 0),
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sale_id, operation_id)
);
