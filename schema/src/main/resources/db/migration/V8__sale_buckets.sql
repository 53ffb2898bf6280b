-- Issue 19: a hot sale may be split into several stock buckets in Redis (each its own hash tag, so Redis Cluster can
-- place them on different shards). Part of the definition, set at creation; existing sales keep one bucket. The
-- database fence stays per sale: nothing else here changes.
ALTER TABLE sales ADD COLUMN buckets smallint NOT NULL DEFAULT 1
    CONSTRAINT sales_buckets_check CHECK (buckets BETWEEN 1 AND 16),
    ADD CONSTRAINT sales_buckets_open_check CHECK (buckets = 1 OR admission = 'open');
