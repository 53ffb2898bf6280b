-- Issue 18: pay or release. A sale may give its buyers a payment window: its orders are then created PENDING_PAYMENT
-- with a deadline, become PAID when the payment provider says so, or CANCELLED (by the buyer, or by the release job
-- past the deadline), and a cancelled order's units leave `sold` in the same transaction. NULL: orders are final
-- (CONFIRMED), as before.
ALTER TABLE sales ADD COLUMN payment_window_seconds integer
    CONSTRAINT sales_payment_window_check CHECK (payment_window_seconds BETWEEN 1 AND 604800);

-- An order's state. CONFIRMED: final (no payment window). PENDING_PAYMENT -> PAID | CANCELLED, by one conditional
-- UPDATE each (whichever commits first wins, the other sees it); CANCELLED -> PAID_AFTER_CANCEL when a payment arrives
-- after all (to refund: the unit is not taken back). `sold` counts CONFIRMED, PENDING_PAYMENT and PAID orders.
ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'CONFIRMED'
    CONSTRAINT orders_status_check
        CHECK (status IN ('CONFIRMED', 'PENDING_PAYMENT', 'PAID', 'CANCELLED', 'PAID_AFTER_CANCEL'));
ALTER TABLE orders ADD COLUMN payment_due_at timestamptz;
ALTER TABLE orders ADD COLUMN paid_at timestamptz;
ALTER TABLE orders ADD COLUMN cancelled_at timestamptz;
ALTER TABLE orders ADD COLUMN cancel_reason text
    CONSTRAINT orders_cancel_reason_check CHECK (cancel_reason IN ('BUYER_CANCELLED', 'PAYMENT_EXPIRED'));
-- A cancelled order's units are returned to Redis' stock once: false until Redis followed (its record CANCELLED), then
-- true. A crash between the two leaves it false, and reconciliation finishes it (docs/payment.md).
ALTER TABLE orders ADD COLUMN units_returned boolean;
ALTER TABLE orders ADD CONSTRAINT orders_payment_state_check CHECK (
    (status = 'CONFIRMED' AND payment_due_at IS NULL AND cancelled_at IS NULL)
    OR (status = 'PENDING_PAYMENT' AND payment_due_at IS NOT NULL AND cancelled_at IS NULL AND paid_at IS NULL)
    OR (status = 'PAID' AND paid_at IS NOT NULL AND cancelled_at IS NULL)
    OR (status = 'CANCELLED' AND cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL AND units_returned IS NOT NULL
        AND paid_at IS NULL)
    OR (status = 'PAID_AFTER_CANCEL' AND cancelled_at IS NOT NULL AND paid_at IS NOT NULL
        AND units_returned IS NOT NULL));

-- The release job's overdue orders, earliest deadline first; reconciliation's cancelled orders Redis has not followed.
CREATE INDEX orders_payment_due_idx ON orders (sale_id, payment_due_at) WHERE status = 'PENDING_PAYMENT';
CREATE INDEX orders_unreturned_idx ON orders (sale_id) WHERE units_returned = false;

-- One row per payment notification, by the provider's event id: a redelivered event finds it and changes nothing.
-- outcome PAID: it paid the order; PAID_AFTER_CANCEL: the order was cancelled first (refund); ALREADY_PAID: another
-- event had paid the order (refund).
CREATE TABLE payments (
    event_id       text        PRIMARY KEY,
    reservation_id text        NOT NULL REFERENCES orders (reservation_id),
    amount_cents   bigint      NOT NULL CHECK (amount_cents >= 0),
    currency       char(3)     NOT NULL,
    outcome        text        NOT NULL CHECK (outcome IN ('PAID', 'PAID_AFTER_CANCEL', 'ALREADY_PAID')),
    received_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_reservation_idx ON payments (reservation_id);
