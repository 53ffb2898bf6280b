package dev.flashsale.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reservation.ReserveOutcome;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The waiting room's scripts against the real Redis: places, admission tied to stock, and what a buyer reads. */
class AdmissionQueueTest {

    private static final Duration RETENTION = Duration.ofHours(1);
    /** Fast enough that only the rate test meets the rate. */
    private static final AdmissionPolicy POLICY =
            new AdmissionPolicy(1.0, 100_000, Duration.ofMinutes(1), Duration.ofMinutes(15), RETENTION);

    private static RedisConnection redis;
    private static ReservationStore reservations;

    @BeforeAll
    static void connect() {
        redis = TestRedis.connect();
        reservations = new ReservationStore(redis, ReservationPolicy.ofDefaults(), ReplicaAck.NONE);
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    private static Sale ticketed(int stock) {
        return TestSales.seed(redis, TestSales.ticketed(stock, 1, 1));
    }

    private static ReserveOutcome reserve(String saleId, String buyer, QueuePlace.Admitted admitted) {
        return reservations.reserve(new ReserveRequest(
                saleId, buyer, "k-" + buyer, 1, new TicketPass(TicketCheck.VALID, admitted.until())));
    }

    private static QueuePlace.Gate gateOf(AdmissionQueue queue, String saleId) {
        return ((QueuePlace.NotJoined) queue.gate(saleId)).gate();
    }

    @Test
    void joinsFromManyThreads_getUniqueGapFreePositions_andJoiningAgainAnswersTheSamePlace() throws Exception {
        Sale sale = ticketed(10);
        AdmissionQueue queue = new AdmissionQueue(redis, POLICY);
        int buyers = 400;
        Map<String, Long> positions = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> joins = new ArrayList<>();
            for (int i = 0; i < buyers; i++) {
                String buyer = "b" + i;
                joins.add(pool.submit(() -> {
                    go.await();
                    // each buyer joins twice, racing itself and everyone else
                    JoinOutcome first = queue.join(sale.id(), buyer);
                    JoinOutcome again = queue.join(sale.id(), buyer);
                    long p = ((JoinOutcome.Joined) first).position();
                    assertThat(again).isEqualTo(new JoinOutcome.Joined(p, false));
                    assertThat(positions.put(buyer, p)).isNull();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : joins) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(positions.values())
                .containsExactlyInAnyOrderElementsOf(
                        LongStream.rangeClosed(1, buyers).boxed().toList());
        SaleKeys k = new SaleKeys(sale.id());
        List<String> line = redis.call(c -> c.lrange(k.queueLine(), 0, -1));
        for (int i = 0; i < line.size(); i++) {
            assertThat(positions.get(line.get(i))).isEqualTo(i + 1L);
        }
    }

    @Test
    void joining_isRefusedForAnUnknownSale_anOpenOne_beforeTheLead_andAfterTheEnd_writingNothing() {
        AdmissionQueue queue = new AdmissionQueue(redis, POLICY);
        Sale open = TestSales.seed(redis, TestSales.live(5, 1, 1));
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Sale later = TestSales.seed(
                redis,
                new Sale(
                        TestSales.newId(),
                        5,
                        1,
                        1,
                        now.plus(Duration.ofHours(1)),
                        now.plus(Duration.ofHours(2)),
                        dev.flashsale.sale.Admission.TICKETED));

        assertThat(queue.join(TestSales.newId(), "b")).isEqualTo(new JoinOutcome.UnknownSale());
        assertThat(queue.join(open.id(), "b")).isEqualTo(new JoinOutcome.NotTicketed());
        assertThat(queue.join(later.id(), "b"))
                .isEqualTo(new JoinOutcome.NotOpen(later.startsAt().minus(POLICY.joinLead())));
        assertThat(queue.place(open.id(), "b")).isEqualTo(new QueuePlace.NotTicketed());
        assertThat(queue.gate(TestSales.newId())).isEqualTo(new QueuePlace.UnknownSale());
        for (Sale s : List.of(open, later)) {
            SaleKeys k = new SaleKeys(s.id());
            assertThat(redis.<Long>call(c -> c.exists(k.queueLine(), k.queuePositions(), k.admits(), k.gate())))
                    .isZero();
        }
    }

    @Test
    void admission_followsTheQueue_upToTheAvailableUnits_andWaitingBuyersReadTheirPlace() {
        // Step 1: three units, five buyers: the first three are admitted, in order.
        Sale sale = ticketed(3);
        AdmissionQueue queue = new AdmissionQueue(redis, POLICY);
        for (int i = 1; i <= 5; i++) {
            queue.join(sale.id(), "b" + i);
        }
        QueuePlace.Gate gate = gateOf(queue, sale.id());
        assertThat(gate).isEqualTo(new QueuePlace.Gate(3, 5, 3, 3, 3, 3));
        QueuePlace first = queue.place(sale.id(), "b1");
        assertThat(first).isInstanceOf(QueuePlace.Admitted.class);
        assertThat(((QueuePlace.Admitted) first).position()).isEqualTo(1);
        QueuePlace fifth = queue.place(sale.id(), "b5");
        assertThat(fifth).isInstanceOf(QueuePlace.Waiting.class);
        assertThat(((QueuePlace.Waiting) fifth).ahead()).isEqualTo(1);
        assertThat(((QueuePlace.Waiting) fifth).admissionStarts()).isEmpty();
        assertThat(queue.place(sale.id(), "nobody")).isInstanceOf(QueuePlace.NotJoined.class);

        // Step 2: b1 takes a hold: one unit fewer, one undecided buyer fewer; nobody new is admitted.
        assertThat(reserve(sale.id(), "b1", (QueuePlace.Admitted) first)).isInstanceOf(ReserveOutcome.Held.class);
        assertThat(gateOf(queue, sale.id())).isEqualTo(new QueuePlace.Gate(3, 5, 2, 2, 2, 0));
        assertThat(queue.place(sale.id(), "b1")).isInstanceOf(QueuePlace.Used.class);

        // Step 3: b2's ticket lapses unused (its deadline moved into the past): b4 gets the turn, b2 has lost it.
        SaleKeys k = new SaleKeys(sale.id());
        redis.call(c -> c.zadd(k.admits(), 1, "b2"));
        assertThat(gateOf(queue, sale.id()).admittedUpTo()).isEqualTo(4);
        assertThat(queue.place(sale.id(), "b2")).isInstanceOf(QueuePlace.Lapsed.class);
        assertThat(queue.place(sale.id(), "b4")).isInstanceOf(QueuePlace.Admitted.class);
    }

    @Test
    void beforeTheStart_buyersJoinWithinTheLead_andWait_nobodyIsAdmitted() {
        Instant start = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Sale sale = TestSales.seed(
                redis,
                new Sale(
                        TestSales.newId(),
                        5,
                        1,
                        1,
                        start,
                        start.plus(Duration.ofHours(1)),
                        dev.flashsale.sale.Admission.TICKETED));
        AdmissionQueue queue = new AdmissionQueue(redis, POLICY);

        assertThat(queue.join(sale.id(), "early")).isEqualTo(new JoinOutcome.Joined(1, true));
        QueuePlace place = queue.place(sale.id(), "early");

        assertThat(place).isEqualTo(new QueuePlace.Waiting(1, 0, Optional.of(start), gateOf(queue, sale.id())));
        assertThat(gateOf(queue, sale.id()).admittedUpTo()).isZero();
    }

    @Test
    void aSoldOutSale_closesTheQueue_andAdmissionResumesWhenUnitsReturn() {
        Sale sale = ticketed(1);
        AdmissionQueue queue = new AdmissionQueue(redis, POLICY);
        queue.join(sale.id(), "b1");
        queue.join(sale.id(), "b2");
        QueuePlace.Admitted b1 = (QueuePlace.Admitted) queue.place(sale.id(), "b1");
        ReserveOutcome.Held held = (ReserveOutcome.Held) reserve(sale.id(), "b1", b1);

        // Sold out: b2 is told so, and nobody is admitted.
        assertThat(queue.place(sale.id(), "b2")).isInstanceOf(QueuePlace.SoldOut.class);
        assertThat(gateOf(queue, sale.id()).admittedUpTo()).isEqualTo(1);

        // The hold is given back (as an expired hold is): the unit is available again and b2's turn comes.
        reservations.cancel(new SaleKeys(sale.id()), held.reservation().id());
        assertThat(queue.place(sale.id(), "b2")).isInstanceOf(QueuePlace.Admitted.class);
    }

    @Test
    void admission_keepsToTheMaximumRate() {
        Sale sale = ticketed(100);
        AdmissionQueue queue =
                new AdmissionQueue(redis, new AdmissionPolicy(1.0, 1, Duration.ofMinutes(1), Duration.ZERO, RETENTION));
        for (int i = 1; i <= 10; i++) {
            queue.join(sale.id(), "b" + i);
        }
        long started = System.nanoTime();
        long upto = 0;
        for (int i = 0; i < 20; i++) {
            upto = gateOf(queue, sale.id()).admittedUpTo();
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        // One second's worth at once, then one more per second that has passed.
        assertThat(upto).isBetween(1L, 1 + (elapsedMs + 999) / 1000);
    }

    /**
     * Buyers join, poll, and reserve when admitted (most of them) or let their short ticket lapse, while holds are given
     * back at random; an observer reads Redis atomically all along. Admitted buyers whose ticket is still live never
     * outnumber the available units (factor 1, one unit per buyer), and only admitted buyers hold units.
     */
    @Test
    void admissionNeverExceedsTheBound_underRacesWithHoldsReturningAndTicketsLapsing() throws Exception {
        Sale sale = ticketed(15);
        SaleKeys k = new SaleKeys(sale.id());
        AdmissionQueue queue = new AdmissionQueue(
                redis, new AdmissionPolicy(1.0, 100_000, Duration.ofMillis(150), Duration.ZERO, RETENTION));
        int buyers = 120;
        Map<String, ReserveOutcome.Held> holds = new ConcurrentHashMap<>();
        List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(12);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread observer = new Thread(() -> {
            while (running.get()) {
                List<?> r = (List<?>) redis.call(c -> c.eval("""
                        local t = redis.call('TIME')
                        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
                        return {redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf'), tonumber(redis.call('GET', KEYS[2]))}
                        """, List.of(k.admits(), k.stock()), List.of()));
                long live = (Long) r.get(0);
                long available = Math.max(0, (Long) r.get(1));
                if (live > available) {
                    violations.add(live + " live admitted > " + available + " available");
                }
            }
        });
        Thread giver = new Thread(() -> {
            java.util.Random random = new java.util.Random(17);
            while (running.get()) {
                List<String> ids = new ArrayList<>(holds.keySet());
                if (!ids.isEmpty() && random.nextInt(4) == 0) {
                    String buyer = ids.get(random.nextInt(ids.size()));
                    reservations.cancel(
                            new SaleKeys(sale.id()),
                            holds.get(buyer).reservation().id());
                }
                Thread.onSpinWait();
            }
        });
        observer.start();
        giver.start();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < buyers; i++) {
                String buyer = "b" + i;
                boolean reserves = i % 3 != 0; // a third never reserve: their tickets lapse
                work.add(pool.submit(() -> {
                    queue.join(sale.id(), buyer);
                    for (int poll = 0; poll < 400; poll++) {
                        if (queue.place(sale.id(), buyer) instanceof QueuePlace.Admitted a) {
                            if (reserves && reserve(sale.id(), buyer, a) instanceof ReserveOutcome.Held h) {
                                holds.put(buyer, h);
                            }
                            return null;
                        }
                        Thread.sleep(2);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            running.set(false);
            observer.join();
            giver.join();
            pool.shutdownNow();
        }

        assertThat(violations).isEmpty();
        // Only admitted buyers hold units; everyone admitted had an earlier position than everyone still waiting.
        long upto = gateOf(queue, sale.id()).admittedUpTo();
        Map<String, String> positions = redis.<Map<String, String>>call(c -> c.hgetAll(k.queuePositions()));
        assertThat(holds.keySet())
                .allSatisfy(b -> assertThat(Long.parseLong(positions.get(b))).isLessThanOrEqualTo(upto));
        assertThat(holds).isNotEmpty();
        assertThat(upto).isGreaterThan(15); // lapsed tickets and returned units let more buyers in than there are units
    }

    /**
     * Fairness over randomized crowds four times the stock, a quarter of whom never reserve (their tickets lapse): every
     * unit is sold; every holder had an earlier position than every buyer who wanted a unit and was never admitted; and
     * an admitted buyer who reserves in time always finds a unit (factor 1: nobody is admitted for a unit that is not
     * there).
     */
    @Test
    void holdsGoToTheEarliestPositions_overRandomizedCrowds() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            java.util.Random random = new java.util.Random(seed);
            int stock = 5 + random.nextInt(10);
            int crowd = stock * 4;
            Sale sale = ticketed(stock);
            AdmissionQueue queue = new AdmissionQueue(
                    redis, new AdmissionPolicy(1.0, 100_000, Duration.ofMillis(150), Duration.ZERO, RETENTION));
            Map<String, Boolean> reserves = new java.util.HashMap<>();
            for (int i = 0; i < crowd; i++) {
                reserves.put("b" + i, random.nextInt(4) != 0);
            }
            Map<String, String> outcome = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (Map.Entry<String, Boolean> b : reserves.entrySet()) {
                    work.add(pool.submit(() -> {
                        queue.join(sale.id(), b.getKey());
                        for (int poll = 0; poll < 5_000; poll++) {
                            QueuePlace place = queue.place(sale.id(), b.getKey());
                            if (place instanceof QueuePlace.Admitted a) {
                                if (!b.getValue()) {
                                    outcome.put(b.getKey(), "abandoned");
                                    return null;
                                }
                                ReserveOutcome r = reserve(sale.id(), b.getKey(), a);
                                outcome.put(
                                        b.getKey(),
                                        r instanceof ReserveOutcome.Held
                                                ? "held"
                                                : "refused "
                                                        + ((ReserveOutcome.Refused) r)
                                                                .refusal()
                                                                .getClass()
                                                                .getSimpleName());
                                return null;
                            }
                            if (place instanceof QueuePlace.SoldOut || place instanceof QueuePlace.Lapsed) {
                                outcome.put(b.getKey(), place.getClass().getSimpleName());
                                return null;
                            }
                            Thread.sleep(1);
                        }
                        outcome.put(b.getKey(), "still waiting");
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }

            Map<String, String> positions =
                    redis.<Map<String, String>>call(c -> c.hgetAll(new SaleKeys(sale.id()).queuePositions()));
            List<Long> held = outcome.entrySet().stream()
                    .filter(e -> e.getValue().equals("held"))
                    .map(e -> Long.parseLong(positions.get(e.getKey())))
                    .toList();
            List<Long> wantedButNeverAdmitted = outcome.entrySet().stream()
                    .filter(e -> reserves.get(e.getKey()) && e.getValue().equals("SoldOut"))
                    .map(e -> Long.parseLong(positions.get(e.getKey())))
                    .toList();
            // "refused SoldOut" would be a buyer admitted for a unit that was not there; "refused NotAdmitted" is one
            // whose ticket lapsed before the reservation reached Redis (allowed: an admitted buyer who did not reserve)
            assertThat(outcome)
                    .as("seed %d", seed)
                    .hasSize(crowd)
                    .allSatisfy((buyer, o) -> assertThat(o)
                            .as(buyer)
                            .isIn(
                                    reserves.get(buyer)
                                            ? List.of("held", "refused NotAdmitted", "Lapsed", "SoldOut")
                                            : List.of("abandoned", "SoldOut")));
            assertThat(held).as("seed %d: every unit sold", seed).hasSize(stock);
            if (!wantedButNeverAdmitted.isEmpty()) {
                assertThat(java.util.Collections.max(held))
                        .as("seed %d: no later position got a unit before an earlier buyer had their turn", seed)
                        .isLessThan(java.util.Collections.min(wantedButNeverAdmitted));
            }
        }
    }

    @Test
    void aBuyerReadingTheirPlaceTooOften_isToldToWait_whileTheGateAndOtherBuyersAreNot() {
        Sale sale = ticketed(10);
        AdmissionQueue limited = new AdmissionQueue(
                redis, new AdmissionPolicy(1.0, 100_000, Duration.ofMinutes(1), Duration.ZERO, RETENTION, 1));
        limited.join(sale.id(), "eager");
        limited.join(sale.id(), "patient");
        // a burst of reads, then one per second (refilled while the loop runs: a slow machine gets a few more)
        QueuePlace read = limited.place(sale.id(), "eager");
        int answered = 0;
        for (int i = 0; i < 40 && read instanceof QueuePlace.Admitted; i++) {
            answered++;
            read = limited.place(sale.id(), "eager");
        }
        assertThat(answered).isGreaterThanOrEqualTo(AdmissionPolicy.PLACE_READ_BURST);
        assertThat(read)
                .isInstanceOfSatisfying(
                        QueuePlace.RateLimited.class,
                        r -> assertThat(r.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1)));
        assertThat(limited.place(sale.id(), "patient")).isInstanceOf(QueuePlace.Admitted.class);
        for (int i = 0; i < 3 * AdmissionPolicy.PLACE_READ_BURST; i++) {
            assertThat(limited.gate(sale.id())).isInstanceOf(QueuePlace.NotJoined.class);
        }
    }
}
