-- Issue 4 (sales lifecycle): a sale names the item it sells, and prewarm finds sales by start time.
ALTER TABLE sales ADD COLUMN item text NOT NULL DEFAULT '';

-- Prewarm: sales starting within the horizon, and live ones (ends_at is indexed by V1).
CREATE INDEX sales_starts_at_idx ON sales (starts_at);
