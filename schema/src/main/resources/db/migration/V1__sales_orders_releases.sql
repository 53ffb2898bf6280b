-- Sales, orders and the release ledger.
--
-- The database is the final guard against overselling: sales.sold only moves through a conditional
-- increment (sold + quantity <= stock) in the same transaction as the order insert, and the CHECK below
-- makes any other path fail too.
--
-- A reservation is decided at most once: either an order row or a release row, never both. Both
-- deciding transactions first lock the sale's row (the confirm path through its UPDATE of sold, the
-- release path with SELECT ... FOR NO KEY UPDATE) and only then look for the other kind of row, so the
-- first to commit wins and the other sees it (see docs/confirmation.md).

CREATE TABLE sales (
    id              text        PRIMARY KEY,
    stock           integer     NOT NULL CHECK (stock >= 0),
    sold            integer     NOT NULL DEFAULT 0 CHECK (sold >= 0),
    price_cents     bigint      NOT NULL CHECK (price_cents >= 0),
    currency        char(3)     NOT NULL DEFAULT 'USD',
    per_buyer_limit integer     NOT NULL CHECK (per_buyer_limit >= 1),
    per_order_max   integer     NOT NULL CHECK (per_order_max >= 1),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sales_sold_within_stock CHECK (sold <= stock),
    CONSTRAINT sales_window CHECK (ends_at > starts_at)
);

-- The release job looks for sales whose holds may still need releasing.
CREATE INDEX sales_ends_at_idx ON sales (ends_at);

CREATE TABLE orders (
    reservation_id   text        PRIMARY KEY,
    sale_id          text        NOT NULL REFERENCES sales (id),
    buyer_id         text        NOT NULL,
    quantity         integer     NOT NULL CHECK (quantity >= 1),
    unit_price_cents bigint      NOT NULL CHECK (unit_price_cents >= 0),
    held_at          timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_sale_idx ON orders (sale_id);

-- A reservation that will never become an order: its claim outlived the confirmer (CLAIM_EXPIRED, the units
-- go back to stock) or the database refused it because the sale was sold out (SOLD_OUT: Redis had handed
-- out more than the stock, e.g. after a failover; the units do not go back).
CREATE TABLE releases (
    reservation_id text        PRIMARY KEY,
    sale_id        text        NOT NULL REFERENCES sales (id),
    buyer_id       text        NOT NULL,
    quantity       integer     NOT NULL CHECK (quantity >= 1),
    reason         text        NOT NULL CHECK (reason IN ('CLAIM_EXPIRED', 'SOLD_OUT')),
    released_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX releases_sale_idx ON releases (sale_id);
