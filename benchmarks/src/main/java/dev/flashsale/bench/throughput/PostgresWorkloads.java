package dev.flashsale.bench.throughput;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Orders written straight into PostgreSQL for one hot sale row, one JDBC connection per client thread, autocommit:
 * each attempt is one statement, so one transaction and one round trip. The statement inserts the orders and moves
 * the sale's {@code sold} in the same transaction, which takes the row's lock until the commit's WAL flush: every
 * writer of the sale queues on that row. Statements are prepared once per connection (server-side after 5 uses).
 */
final class PostgresWorkloads {

    private PostgresWorkloads() {}

    /** {@code sold} moves by the orders' units; with {@code conditional}, only while {@code sold + q <= stock}. */
    private static String statement(boolean conditional) {
        return "WITH s AS (UPDATE sales SET sold = sold + ? WHERE id = ?"
                + (conditional ? " AND sold + ? <= stock" : "")
                + " RETURNING id, price_cents) "
                + "INSERT INTO orders (reservation_id, sale_id, buyer_id, quantity, unit_price_cents, held_at, idempotency_key) "
                + "SELECT r.id, s.id, r.buyer, 1, s.price_cents, now(), r.id FROM s, unnest(?::text[], ?::text[]) AS r (id, buyer)";
    }

    abstract static class Base implements Workload {
        final Stores stores;
        final int batch;
        final boolean conditional;
        final List<Connection> connections = new ArrayList<>();
        final List<PreparedStatement> statements = new ArrayList<>();
        final AtomicLong seq = new AtomicLong();
        String saleId;

        Base(Stores stores, int batch, boolean conditional) {
            this.stores = stores;
            this.batch = batch;
            this.conditional = conditional;
        }

        @Override
        public void prepare(int threads, long stock) throws SQLException {
            saleId = stores.freshId("sale");
            stores.createSale(saleId, stock);
            while (connections.size() < threads) {
                Connection c = stores.jdbc();
                connections.add(c);
                statements.add(c.prepareStatement(statement(conditional)));
            }
        }

        @Override
        public long attempt(int thread) throws SQLException {
            Connection c = connections.get(thread);
            PreparedStatement ps = statements.get(thread);
            String[] ids = new String[batch];
            for (int i = 0; i < batch; i++) {
                long n = seq.incrementAndGet();
                ids[i] = saleId + "-" + thread + "-" + n;
            }
            Array array = c.createArrayOf("text", ids);
            int p = 1;
            ps.setInt(p++, batch);
            ps.setString(p++, saleId);
            if (conditional) {
                ps.setInt(p++, batch);
            }
            ps.setArray(p++, array);
            ps.setArray(p, array);
            return ps.executeUpdate();
        }

        @Override
        public String verify(long unitsSold, long stock) {
            long[] db = stores.soldAndOrdered(saleId);
            boolean ok = db[0] == unitsSold && db[2] == unitsSold && db[0] <= db[1];
            return String.format(
                    Locale.ROOT,
                    "%s: sales.sold %d = orders %d = sold to clients %d (stock %d)",
                    ok ? "OK" : "FAIL",
                    db[0],
                    db[2],
                    unitsSold,
                    db[1]);
        }

        @Override
        public void cleanup() {}

        void close() {
            for (Connection c : connections) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
        }
    }

    /** The database's limit: orders into one hot row, {@code batch} per transaction, no stock check. */
    static final class Raw extends Base {
        Raw(Stores stores, int batch) {
            super(stores, batch, false);
        }

        @Override
        public String name() {
            return "limit: PostgreSQL " + batch + " order" + (batch == 1 ? "" : "s") + "/txn";
        }
    }

    /**
     * (a) The database row lock as the reservation itself: {@code UPDATE sales SET sold = sold + q WHERE id = ? AND
     * sold + q <= stock} and the order insert, one transaction per reservation (one statement, one round trip).
     */
    static final class RowLock extends Base {
        RowLock(Stores stores) {
            super(stores, 1, true);
        }

        @Override
        public String name() {
            return "(a) DB row lock";
        }
    }
}
