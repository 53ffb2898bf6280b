package dev.flashsale.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestSales;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * {@link OrderFence#confirmAll} against the real PostgreSQL: one transaction for many reservations of a sale, each
 * decided as if confirmed one by one in the order given.
 */
class OrderFenceBatchTest {

    @AutoClose
    private static final DbConnection DB = TestDatabase.connect();

    private static final OrderFence FENCE = new OrderFence(DB);

    private static Sale sale(int stock, int perBuyerLimit) {
        return TestDatabase.create(DB, TestSales.live(stock, perBuyerLimit, 10));
    }

    private static Reservation reservation(Sale sale, String id, String buyer, int quantity, String key) {
        return new Reservation(
                sale.id() + "-" + id,
                sale.id(),
                buyer,
                quantity,
                ReservationStatus.CLAIMED,
                Instant.parse("2026-11-24T12:00:00.123Z"),
                Instant.now().plusSeconds(600),
                key);
    }

    private static Reservation reservation(Sale sale, int n, int quantity) {
        return reservation(sale, "r" + n, "buyer-" + n, quantity, "key-" + n);
    }

    private static long[] soldAndOrdered(String saleId) throws Exception {
        try (Connection c = TestDatabase.jdbc();
                PreparedStatement ps = c.prepareStatement("SELECT sold, (SELECT COALESCE(SUM(quantity), 0) FROM orders"
                        + " WHERE sale_id = s.id), (SELECT count(*) FROM releases WHERE sale_id = s.id)"
                        + " FROM sales s WHERE id = ?")) {
            ps.setString(1, saleId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
    }

    private static Instant heldAt(String reservationId) throws Exception {
        try (Connection c = TestDatabase.jdbc();
                PreparedStatement ps = c.prepareStatement("SELECT held_at FROM orders WHERE reservation_id = ?")) {
            ps.setString(1, reservationId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        }
    }

    @Test
    void aBatchThatFits_writesEveryOrder_andCountsTheirUnitsOnce() throws Exception {
        Sale sale = sale(10, 10);
        List<Reservation> batch = List.of(reservation(sale, 1, 2), reservation(sale, 2, 3), reservation(sale, 3, 1));

        Map<String, OrderDecision> decided = FENCE.confirmAll(sale.id(), batch);

        assertThat(decided.keySet())
                .containsExactly(batch.stream().map(Reservation::id).toArray(String[]::new));
        assertThat(decided.values()).containsOnly(new OrderDecision.Ordered(true));
        assertThat(soldAndOrdered(sale.id())).containsExactly(6, 6, 0);
        assertThat(heldAt(batch.get(0).id())).isEqualTo(batch.get(0).createdAt());

        // the same batch again (a redelivery): nothing new
        assertThat(FENCE.confirmAll(sale.id(), batch).values()).containsOnly(new OrderDecision.Ordered(false));
        assertThat(soldAndOrdered(sale.id())).containsExactly(6, 6, 0);
    }

    @Test
    void aBatchLargerThanTheRemainingStock_isDecidedOneByOneInTheOrderGiven() throws Exception {
        Sale sale = sale(5, 10);
        FENCE.confirm(reservation(sale, 0, 1)); // 4 left
        Reservation fits = reservation(sale, 1, 2);
        Reservation tooBig = reservation(sale, 2, 3);
        Reservation smallerFits = reservation(sale, 3, 1);
        Reservation last = reservation(sale, 4, 1);
        Reservation none = reservation(sale, 5, 1);

        Map<String, OrderDecision> decided =
                FENCE.confirmAll(sale.id(), List.of(fits, tooBig, smallerFits, last, none));

        assertThat(decided.get(fits.id())).isEqualTo(new OrderDecision.Ordered(true));
        assertThat(decided.get(tooBig.id())).isEqualTo(new OrderDecision.Released(ReleaseReason.SOLD_OUT, true));
        assertThat(decided.get(smallerFits.id())).isEqualTo(new OrderDecision.Ordered(true));
        assertThat(decided.get(last.id())).isEqualTo(new OrderDecision.Ordered(true));
        assertThat(decided.get(none.id())).isEqualTo(new OrderDecision.Released(ReleaseReason.SOLD_OUT, true));
        assertThat(soldAndOrdered(sale.id())).containsExactly(5, 5, 2);
        // decided once: a repeat finds the decisions
        assertThat(FENCE.confirmAll(sale.id(), List.of(tooBig, fits)))
                .containsEntry(tooBig.id(), new OrderDecision.Released(ReleaseReason.SOLD_OUT, false))
                .containsEntry(fits.id(), new OrderDecision.Ordered(false));
    }

    @Test
    void aBuyersOrdersInOneBatch_countTowardTheirLimit_inTheOrderGiven() throws Exception {
        Sale sale = sale(10, 3);
        FENCE.confirm(reservation(sale, "before", "b", 1, "k0"));
        Reservation two = reservation(sale, "two", "b", 2, "k1");
        Reservation oneMore = reservation(sale, "one-more", "b", 1, "k2");
        Reservation other = reservation(sale, "other", "c", 3, "k3");

        Map<String, OrderDecision> decided = FENCE.confirmAll(sale.id(), List.of(two, oneMore, other));

        assertThat(decided)
                .containsEntry(two.id(), new OrderDecision.Ordered(true))
                .containsEntry(oneMore.id(), new OrderDecision.Released(ReleaseReason.BUYER_LIMIT, true))
                .containsEntry(other.id(), new OrderDecision.Ordered(true));
        assertThat(soldAndOrdered(sale.id())).containsExactly(6, 6, 1);
    }

    @Test
    void oneKeyTwiceInABatch_ordersTheFirst_andRefusesTheSecond() throws Exception {
        Sale sale = sale(10, 10);
        Reservation first = reservation(sale, "a", "b", 1, "same");
        Reservation second = reservation(sale, "z-other-id", "b", 1, "same");
        Reservation earlierKey = reservation(sale, "x", "c", 1, "k");
        FENCE.confirm(earlierKey);
        Reservation againUnderAnotherId = reservation(sale, "y", "c", 1, "k");

        Map<String, OrderDecision> decided = FENCE.confirmAll(sale.id(), List.of(second, first, againUnderAnotherId));

        assertThat(decided)
                .containsEntry(second.id(), new OrderDecision.Ordered(true))
                .containsEntry(first.id(), new OrderDecision.Released(ReleaseReason.DUPLICATE_KEY, true))
                .containsEntry(againUnderAnotherId.id(), new OrderDecision.Released(ReleaseReason.DUPLICATE_KEY, true));
        assertThat(soldAndOrdered(sale.id())).containsExactly(2, 2, 2);
    }

    @Test
    void aReleaseCommittedFirst_winsOverItsOrderInTheBatch_andTheOthersAreOrdered() throws Exception {
        Sale sale = sale(10, 10);
        Reservation released = reservation(sale, 1, 2);
        Reservation ordered = reservation(sale, 2, 2);
        FENCE.release(released, ReleaseReason.CLAIM_EXPIRED);

        Map<String, OrderDecision> decided = FENCE.confirmAll(sale.id(), List.of(released, ordered));

        assertThat(decided)
                .containsEntry(released.id(), new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false))
                .containsEntry(ordered.id(), new OrderDecision.Ordered(true));
        assertThat(soldAndOrdered(sale.id())).containsExactly(2, 2, 1);
    }

    @Test
    void aSaleNotInTheDatabase_orAMixedOrRepeatedList_isRefused() {
        Sale missing = TestSales.live(5, 5, 5);
        Sale sale = sale(5, 5);
        assertThatThrownBy(() ->
                        FENCE.confirmAll(missing.id(), List.of(reservation(missing, 1, 1), reservation(missing, 2, 1))))
                .isInstanceOf(UnknownSaleException.class);
        Reservation r = reservation(sale, 1, 1);
        assertThatThrownBy(() -> FENCE.confirmAll(sale.id(), List.of(r, r)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FENCE.confirmAll(sale.id(), List.of(r, reservation(missing, 2, 1))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentOverlappingBatches_racingReleases_decideEachReservationOnce_withinStockAndLimits() throws Exception {
        // Story: 200 reservations of 1 or 2 units (90 buyers, limit 2 units each) on a sale of 150. Four confirmers
        // send overlapping batches of 1-20 in random orders (every reservation at least once, many twice), two
        // releasers release every reservation in random order. No deadlock, no error, one decision each, within stock
        // and limits.
        for (int run = 0; run < 3; run++) {
            Sale sale = sale(150, 2);
            Random random = new Random(run);
            List<Reservation> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                all.add(reservation(sale, "r" + i, "buyer-" + (i % 90), 1 + random.nextInt(2), "k" + i));
            }
            List<List<Reservation>> batches = new ArrayList<>();
            List<Reservation> deliveries = new ArrayList<>(all);
            for (Reservation r : all) {
                if (random.nextBoolean()) {
                    deliveries.add(r);
                }
            }
            Collections.shuffle(deliveries, random);
            for (int i = 0; i < deliveries.size(); ) {
                int n = 1 + random.nextInt(20);
                Map<String, Reservation> distinct = new java.util.LinkedHashMap<>();
                for (int j = i; j < Math.min(deliveries.size(), i + n); j++) {
                    distinct.putIfAbsent(deliveries.get(j).id(), deliveries.get(j));
                }
                batches.add(List.copyOf(distinct.values()));
                i += n;
            }
            List<Reservation> victims = new ArrayList<>(all);
            Collections.shuffle(victims, random);
            Map<String, List<OrderDecision>> seen = new ConcurrentHashMap<>();
            AtomicInteger nextBatch = new AtomicInteger();
            AtomicInteger nextVictim = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                workers.add(pool.submit(() -> {
                    try (DbConnection db = TestDatabase.connect()) {
                        OrderFence fence = new OrderFence(db);
                        start.await();
                        for (int b = nextBatch.getAndIncrement(); b < batches.size(); b = nextBatch.getAndIncrement()) {
                            fence.confirmAll(sale.id(), batches.get(b))
                                    .forEach((id, d) -> seen.computeIfAbsent(
                                                    id, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                            .add(d));
                        }
                    }
                    return null;
                }));
            }
            for (int t = 0; t < 2; t++) {
                workers.add(pool.submit(() -> {
                    try (DbConnection db = TestDatabase.connect()) {
                        OrderFence fence = new OrderFence(db);
                        start.await();
                        for (int v = nextVictim.getAndIncrement();
                                v < victims.size();
                                v = nextVictim.getAndIncrement()) {
                            Reservation r = victims.get(v);
                            seen.computeIfAbsent(r.id(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(fence.release(r, ReleaseReason.CLAIM_EXPIRED));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : workers) {
                f.get(); // an error (a deadlock, a constraint) fails the test here
            }
            pool.shutdown();

            // every answer about a reservation names the same decision; "now" at most once
            Map<String, Integer> outcomes = new HashMap<>();
            for (Reservation r : all) {
                List<OrderDecision> answers = seen.get(r.id());
                assertThat(answers).as(r.id()).isNotEmpty();
                assertThat(answers.stream().filter(d -> now(d)).count())
                        .as(r.id())
                        .isEqualTo(1);
                assertThat(answers.stream()
                                .map(OrderFenceBatchTest::kind)
                                .distinct()
                                .count())
                        .as("answers for " + r.id() + ": " + answers)
                        .isEqualTo(1);
                outcomes.merge(kind(answers.get(0)), 1, Integer::sum);
            }
            long[] db = soldAndOrdered(sale.id());
            assertThat(db[0]).isEqualTo(db[1]).isLessThanOrEqualTo(150);
            assertThat(outcomes.getOrDefault("Ordered", 0) + (int) db[2]).isEqualTo(200);
            try (Connection c = TestDatabase.jdbc();
                    PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM (SELECT buyer_id FROM orders"
                            + " WHERE sale_id = ? GROUP BY buyer_id HAVING SUM(quantity) > 2) t")) {
                ps.setString(1, sale.id());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("buyers over the limit").isZero();
                }
            }
            System.out.printf("[fence batch race %d] %d batches: %s, sold %d%n", run, batches.size(), outcomes, db[0]);
        }
    }

    private static boolean now(OrderDecision d) {
        return switch (d) {
            case OrderDecision.Ordered o -> o.now();
            case OrderDecision.Released r -> r.now();
            case OrderDecision.OrderCancelled c -> false;
        };
    }

    private static String kind(OrderDecision d) {
        return switch (d) {
            case OrderDecision.Ordered o -> "Ordered";
            case OrderDecision.Released r -> r.reason().name();
            case OrderDecision.OrderCancelled c -> "OrderCancelled";
        };
    }
}
