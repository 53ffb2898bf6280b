package dev.flashsale.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestSales;

/** The database fence against the real PostgreSQL: one decision per reservation, never above stock. */
class OrderFenceTest {

    private static final DbConnection DB = TestDatabase.connect();
    private static final OrderFence FENCE = new OrderFence(DB);

    @AfterAll
    static void close() {
        DB.close();
    }

    private static Sale sale(int stock) {
        return TestDatabase.create(DB, TestSales.live(stock, 10, 10));
    }

    private static Reservation reservation(Sale sale, int n, int quantity) {
        return new Reservation("r-" + sale.id() + "-" + n, sale.id(), "buyer-" + n, quantity, ReservationStatus.CLAIMED,
                Instant.now(), Instant.now().plusSeconds(600), "key-" + n);
    }

    static long sold(String saleId) throws Exception {
        try (Connection c = TestDatabase.jdbc(); PreparedStatement ps = c.prepareStatement("SELECT sold FROM sales WHERE id = ?")) {
            ps.setString(1, saleId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static long count(String table, String saleId) throws Exception {
        try (Connection c = TestDatabase.jdbc();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table + " WHERE sale_id = ?")) {
            ps.setString(1, saleId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void confirm_writesTheOrderOnce_andCountsItsUnits() throws Exception {
        Sale sale = sale(10);
        Reservation r = reservation(sale, 1, 3);

        assertThat(FENCE.confirm(r)).isEqualTo(new OrderDecision.Ordered(true));
        // a duplicate delivery finds the order and changes nothing
        assertThat(FENCE.confirm(r)).isEqualTo(new OrderDecision.Ordered(false));

        assertThat(sold(sale.id())).isEqualTo(3);
        assertThat(count("orders", sale.id())).isEqualTo(1);
        assertThat(FENCE.find(r.id())).contains(new OrderDecision.Ordered(false));
    }

    @Test
    void confirm_refusesAboveStock_andRecordsTheRefusalOnce() throws Exception {
        Sale sale = sale(2);
        assertThat(FENCE.confirm(reservation(sale, 1, 1))).isEqualTo(new OrderDecision.Ordered(true));
        Reservation tooMany = reservation(sale, 2, 2);

        assertThat(FENCE.confirm(tooMany)).isEqualTo(new OrderDecision.Released(ReleaseReason.SOLD_OUT, true));
        assertThat(FENCE.confirm(tooMany)).isEqualTo(new OrderDecision.Released(ReleaseReason.SOLD_OUT, false));

        assertThat(sold(sale.id())).isEqualTo(1);
        assertThat(count("orders", sale.id())).isEqualTo(1);
        assertThat(count("releases", sale.id())).isEqualTo(1);
    }

    @Test
    void release_thenConfirm_releaseWins() throws Exception {
        Sale sale = sale(5);
        Reservation r = reservation(sale, 1, 1);

        assertThat(FENCE.release(r, ReleaseReason.CLAIM_EXPIRED)).isEqualTo(new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, true));
        assertThat(FENCE.confirm(r)).isEqualTo(new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false));

        assertThat(sold(sale.id())).isZero();
        assertThat(count("orders", sale.id())).isZero();
    }

    @Test
    void confirm_thenRelease_orderWins() throws Exception {
        Sale sale = sale(5);
        Reservation r = reservation(sale, 1, 1);

        assertThat(FENCE.confirm(r)).isEqualTo(new OrderDecision.Ordered(true));
        assertThat(FENCE.release(r, ReleaseReason.CLAIM_EXPIRED)).isEqualTo(new OrderDecision.Ordered(false));

        assertThat(sold(sale.id())).isEqualTo(1);
        assertThat(count("releases", sale.id())).isZero();
    }

    @Test
    void confirm_ofASaleNotInTheDatabase_isRefusedClearly() {
        Sale notInDb = TestSales.live(5, 1, 1);
        assertThatThrownBy(() -> FENCE.confirm(reservation(notInDb, 1, 1)))
                .isInstanceOf(UnknownSaleException.class).hasMessageContaining(notInDb.id());
        assertThatThrownBy(() -> FENCE.release(reservation(notInDb, 1, 1), ReleaseReason.CLAIM_EXPIRED))
                .isInstanceOf(UnknownSaleException.class);
    }

    @Test
    void confirmRacingRelease_decidesEachReservationExactlyOnce() throws Exception {
        // Story: 300 reservations; for each, a confirmer and the release job race on their own connections.
        int n = 300;
        Sale sale = sale(n);
        List<Reservation> rs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rs.add(reservation(sale, i, 1));
        }
        ConcurrentHashMap<String, List<OrderDecision>> seen = new ConcurrentHashMap<>();
        int threads = 8;
        List<DbConnection> connections = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ThreadLocal<OrderFence> fences = ThreadLocal.withInitial(() -> {
            DbConnection c = TestDatabase.connect();
            synchronized (connections) {
                connections.add(c);
            }
            return new OrderFence(c);
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Reservation r : rs) {
                futures.add(pool.submit(() -> seen.computeIfAbsent(r.id(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(fences.get().confirm(r))));
                futures.add(pool.submit(() -> seen.computeIfAbsent(r.id(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                        .add(fences.get().release(r, ReleaseReason.CLAIM_EXPIRED))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
            connections.forEach(DbConnection::close);
        }

        // Then: both racers agree on the winner, exactly one of them wrote it, and the database holds exactly that.
        int ordered = 0;
        for (Reservation r : rs) {
            List<OrderDecision> d = seen.get(r.id());
            assertThat(d).hasSize(2);
            boolean orderWon = d.get(0) instanceof OrderDecision.Ordered;
            assertThat(d.get(1) instanceof OrderDecision.Ordered).as("racers agree on %s: %s", r.id(), d).isEqualTo(orderWon);
            long writers = d.stream().filter(x -> x instanceof OrderDecision.Ordered o ? o.now()
                    : ((OrderDecision.Released) x).now()).count();
            assertThat(writers).as("exactly one writer for %s: %s", r.id(), d).isEqualTo(1);
            assertThat(FENCE.find(r.id())).get().matches(x -> (x instanceof OrderDecision.Ordered) == orderWon);
            ordered += orderWon ? 1 : 0;
        }
        assertThat(count("orders", sale.id()) + count("releases", sale.id())).isEqualTo(n);
        assertThat(sold(sale.id())).isEqualTo(ordered);
        assertThat(ordered).as("both kinds of winner occur").isBetween(1, n - 1);
    }

    @Test
    void concurrentConfirms_neverSellMoreThanTheStock() throws Exception {
        // Story: Redis has handed out 3x the stock (lost writes); 8 confirmers race; the database sells exactly the stock.
        Sale sale = sale(100);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<DbConnection> connections = new ArrayList<>();
        ThreadLocal<OrderFence> fences = ThreadLocal.withInitial(() -> {
            DbConnection c = TestDatabase.connect();
            synchronized (connections) {
                connections.add(c);
            }
            return new OrderFence(c);
        });
        List<Future<OrderDecision>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Reservation r = reservation(sale, i, 1);
                results.add(pool.submit(() -> fences.get().confirm(r)));
            }
            long ordered = 0;
            for (Future<OrderDecision> f : results) {
                ordered += f.get() instanceof OrderDecision.Ordered ? 1 : 0;
            }
            assertThat(ordered).isEqualTo(100);
        } finally {
            pool.shutdown();
            connections.forEach(DbConnection::close);
        }
        assertThat(sold(sale.id())).isEqualTo(100);
        assertThat(count("orders", sale.id())).isEqualTo(100);
        assertThat(count("releases", sale.id())).isEqualTo(200);
    }
}
