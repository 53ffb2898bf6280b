package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestSales;
import dev.flashsale.testing.TestStack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Batched confirmation against the real Redis and PostgreSQL: an SQS batch is confirmed per sale with one claim, one
 * transaction and one follow-up, and every record still gets its own result. Each story ends with the invariants: no
 * oversell, no duplicate order, every reservation decided exactly once, and Redis following the database.
 */
class BatchedConfirmationTest {

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    /** An invoker whose handler calls {@code afterStep} at each step boundary. */
    private static ConfirmInvoker invoker(TestStack stack, Consumer<ConfirmHandler.Step> afterStep) {
        return new ConfirmInvoker(new ConfirmHandler(stack.claims, stack.fence, afterStep), Telemetry.noop());
    }

    private static SQSEvent.SQSMessage record(Reservation r) {
        return SqsEvents.record(ConfirmationMessage.of(r).toJson());
    }

    private static Set<String> deliver(ConfirmInvoker invoker, List<SQSEvent.SQSMessage> records) {
        SQSBatchResponse response = invoker.handleRequest(SqsEvents.event(records), Lambda.context());
        return SqsEvents.failedIds(response);
    }

    private static ReservationStatus status(TestStack stack, Reservation r) {
        return stack.store.find(new SaleKeys(r.saleId()), r.id()).orElseThrow().status();
    }

    private static InvariantReport settled(TestStack stack, Sale sale) {
        InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
        assertThat(report.violations()).as(report.toString()).isEmpty();
        return report;
    }

    /**
     * {@link #settled} for a sale Redis over-credited: the prewarm's reconciliation first sets the counter from the
     * database (until then, by design, Redis counts the units it handed out and the database refused).
     */
    private static InvariantReport reconciledAndSettled(TestStack stack, Sale sale) {
        stack.saleSync().reconcile(sale.id());
        return settled(stack, sale);
    }

    /** Redis hands out {@code extra} units the database does not have (what lost writes do before a reconciliation). */
    private static void overCredit(TestStack stack, Sale sale, int extra) {
        stack.redis.call(c -> c.incrBy(new SaleKeys(sale.id()).stock(), extra));
    }

    private static long ordersOf(String reservationId) throws Exception {
        try (Connection c = TestDatabase.jdbc();
                PreparedStatement ps =
                        c.prepareStatement("SELECT (SELECT count(*) FROM orders WHERE reservation_id = ?)"
                                + " + (SELECT count(*) FROM releases WHERE reservation_id = ?)")) {
            ps.setString(1, reservationId);
            ps.setString(2, reservationId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void mixedBatch_severalSales_duplicatesAPoisonMessageAndMoreThanTheStock_eachRecordGetsItsOwnResult()
            throws Exception {
        // Sale A: plenty of stock. Sale B: 4 units in the database, but Redis handed out 7 (over-credited), so its
        // batch does not fit and is decided message by message. Sale C exists only in Redis (its messages fail).
        Sale a = STACK.newSale(10, 5, 5);
        Sale b = STACK.newSale(4, 5, 5);
        overCredit(STACK, b, 3);
        Sale c = TestSales.seed(STACK.redis, TestSales.live(5, 5, 5));
        Reservation a1 = STACK.hold(a.id(), "a-1", 2);
        Reservation a2 = STACK.hold(a.id(), "a-2", 1);
        Reservation a3 = STACK.hold(a.id(), "a-3", 3);
        Reservation b1 = STACK.hold(b.id(), "b-1", 2);
        Reservation b2 = STACK.hold(b.id(), "b-2", 3); // does not fit after b1
        Reservation b3 = STACK.hold(b.id(), "b-3", 1); // still fits after b2 was refused
        Reservation b4 = STACK.hold(b.id(), "b-4", 1); // the last unit
        Reservation c1 = STACK.hold(c.id(), "c-1", 1);

        SQSEvent.SQSMessage rA1 = record(a1);
        SQSEvent.SQSMessage rB1 = record(b1);
        SQSEvent.SQSMessage rA2 = record(a2);
        SQSEvent.SQSMessage poison = SqsEvents.record("{not json");
        SQSEvent.SQSMessage rC1 = record(c1);
        SQSEvent.SQSMessage rA1again = record(a1); // a duplicate in the same batch
        SQSEvent.SQSMessage rB2 = record(b2);
        SQSEvent.SQSMessage version9 =
                SqsEvents.record(ConfirmationMessage.of(a3).toJson().replace("\"version\":2", "\"version\":9"));
        SQSEvent.SQSMessage rB3 = record(b3);
        SQSEvent.SQSMessage rB4 = record(b4);
        SQSEvent.SQSMessage rA3 = record(a3);

        Set<String> failed = deliver(
                invoker(STACK, s -> {}), List.of(rA1, rB1, rA2, poison, rC1, rA1again, rB2, version9, rB3, rB4, rA3));

        // Step 1: only the poison, the unknown version and the sale the database lacks fail, each on its own
        assertThat(failed)
                .containsExactlyInAnyOrder(poison.getMessageId(), version9.getMessageId(), rC1.getMessageId());
        for (Reservation r : List.of(a1, a2, a3, b1, b3, b4)) {
            assertThat(status(STACK, r)).as(r.buyerId()).isEqualTo(ReservationStatus.CONFIRMED);
        }
        assertThat(status(STACK, b2)).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(STACK.fence.find(b2.id())).contains(new OrderDecision.Released(ReleaseReason.SOLD_OUT, false));
        // sale C's hold is parked for a redelivery, not lost
        assertThat(status(STACK, c1)).isEqualTo(ReservationStatus.CLAIMED);

        // Step 2: the same messages again, in another batch and order: nothing new is written
        Set<String> again = deliver(invoker(STACK, s -> {}), List.of(rB2, rA3, record(b1), rA1, rB4, rA2, rB3));
        assertThat(again).isEmpty();

        InvariantReport reportA = settled(STACK, a);
        assertThat(reportA.orders()).isEqualTo(3);
        assertThat(reportA.sold()).isEqualTo(6);
        InvariantReport reportB = settled(STACK, b);
        assertThat(reportB.orders()).isEqualTo(3);
        assertThat(reportB.sold()).isEqualTo(4).isEqualTo(reportB.stock());
        for (Reservation r : List.of(a1, a2, a3, b1, b2, b3, b4)) {
            assertThat(ordersOf(r.id())).as("decisions of " + r.buyerId()).isEqualTo(1);
        }
    }

    @Test
    void aPoisonRecordInRedisOrARowTheDatabaseRefuses_failsOnlyItsOwnMessage_andTheRestOfTheBatchIsConfirmed() {
        // Story: two reservations of a batch are poison for the batch's shared steps: one whose Redis record is not
        // JSON (the batch claim script fails), one whose record says quantity 0 (the batch's insert breaks a CHECK).
        // Each step is then retried message by message, and only the poison fails.
        Sale sale = STACK.newSale(20, 5, 5);
        SaleKeys k = new SaleKeys(sale.id());
        List<Reservation> good = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            good.add(STACK.hold(sale.id(), "g-" + i, 1));
        }
        Reservation notJson = STACK.hold(sale.id(), "p-1", 1);
        Reservation zero = STACK.hold(sale.id(), "p-2", 1);
        String notJsonRecord = STACK.redis.call(c -> c.hget(k.reservations(), notJson.id()));
        String zeroRecord = STACK.redis.call(c -> c.hget(k.reservations(), zero.id()));
        STACK.redis.call(c -> c.hset(k.reservations(), notJson.id(), "{not json"));
        STACK.redis.call(c -> c.hset(k.reservations(), zero.id(), zeroRecord.replace("\"qty\":1", "\"qty\":0")));

        // Step 1: a batch with the Redis poison
        SQSEvent.SQSMessage poisonInRedis = record(notJson);
        Set<String> failed =
                deliver(invoker(STACK, s -> {}), List.of(record(good.get(0)), poisonInRedis, record(good.get(1))));
        assertThat(failed).containsExactly(poisonInRedis.getMessageId());

        // Step 2: a batch with the database poison
        SQSEvent.SQSMessage poisonInDb = record(zero);
        failed = deliver(invoker(STACK, s -> {}), List.of(record(good.get(2)), poisonInDb, record(good.get(3))));
        assertThat(failed).containsExactly(poisonInDb.getMessageId());
        for (Reservation r : good) {
            assertThat(status(STACK, r)).isEqualTo(ReservationStatus.CONFIRMED);
        }

        // Step 3: the records are repaired; the redeliveries confirm them, and everything adds up
        STACK.redis.call(c -> c.hset(k.reservations(), notJson.id(), notJsonRecord));
        STACK.redis.call(c -> c.hset(
                k.reservations(),
                zero.id(),
                STACK.redis
                        .<String>call(x -> x.hget(k.reservations(), zero.id()))
                        .replace("\"qty\":0", "\"qty\":1")));
        assertThat(deliver(invoker(STACK, s -> {}), List.of(poisonInRedis, poisonInDb)))
                .isEmpty();
        InvariantReport report = settled(STACK, sale);
        assertThat(report.orders()).isEqualTo(6);
        assertThat(report.sold()).isEqualTo(6);
    }

    @Test
    void aBuyerOverTheLimitWithinOneBatch_isRefusedOnlyForTheOrderThatCrossesIt() throws Exception {
        // Redis forgot the buyer's first unit (a failover), so it let them hold 3 of a limit of 2.
        Sale sale = STACK.newSale(10, 2, 2);
        Reservation first = STACK.hold(sale.id(), "buyer", 1);
        Reservation second = STACK.hold(sale.id(), "buyer", 1);
        STACK.redis.call(c -> c.hincrBy(new SaleKeys(sale.id()).units(), "buyer", -2));
        Reservation third = STACK.hold(sale.id(), "buyer", 1);
        Reservation other = STACK.hold(sale.id(), "other", 2);

        Set<String> failed =
                deliver(invoker(STACK, s -> {}), List.of(record(first), record(second), record(third), record(other)));

        assertThat(failed).isEmpty();
        assertThat(STACK.fence.find(third.id())).contains(new OrderDecision.Released(ReleaseReason.BUYER_LIMIT, false));
        assertThat(List.of(status(STACK, first), status(STACK, second), status(STACK, other)))
                .containsOnly(ReservationStatus.CONFIRMED);
        assertThat(status(STACK, third)).isEqualTo(ReservationStatus.EXPIRED);
    }

    @Test
    void crashBetweenTheBatchSteps_failsThatSalesRecords_andTheRedeliveryFinishesThem() {
        for (ConfirmHandler.Step step : ConfirmHandler.Step.values()) {
            Sale hot = STACK.newSale(10, 1, 1);
            Sale calm = STACK.newSale(10, 1, 1);
            List<Reservation> hotHolds = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                hotHolds.add(STACK.hold(hot.id(), "h-" + i, 1));
            }
            Reservation calm1 = STACK.hold(calm.id(), "c-1", 1);
            Reservation calm2 = STACK.hold(calm.id(), "c-2", 1);
            List<SQSEvent.SQSMessage> records = new ArrayList<>();
            hotHolds.forEach(r -> records.add(record(r)));
            records.add(record(calm1));
            records.add(record(calm2));
            AtomicBoolean crashed = new AtomicBoolean();
            ConfirmInvoker dying = invoker(STACK, s -> {
                if (s == step && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected crash after " + s);
                }
            });

            // Step 1: the first sale's batch dies at the step boundary: its five records fail, the other sale's don't
            Set<String> failed = deliver(dying, records);
            assertThat(failed)
                    .as("after " + step)
                    .containsExactlyInAnyOrderElementsOf(records.subList(0, 5).stream()
                            .map(SQSEvent.SQSMessage::getMessageId)
                            .toList());
            for (Reservation r : hotHolds) {
                assertThat(status(STACK, r)).isEqualTo(ReservationStatus.CLAIMED);
            }
            InvariantReport inFlight = new InvariantChecker(STACK.redis, STACK.db).check(hot.id(), false);
            assertThat(inFlight.violations()).as(inFlight.toString()).isEmpty();
            assertThat(inFlight.sold()).isEqualTo(step == ConfirmHandler.Step.COMMITTED ? 5 : 0);

            // Step 2: SQS redelivers them (in another order): each is confirmed once
            List<SQSEvent.SQSMessage> redelivered = new ArrayList<>(records.subList(0, 5));
            Collections.reverse(redelivered);
            assertThat(deliver(invoker(STACK, s -> {}), redelivered)).isEmpty();
            InvariantReport report = settled(STACK, hot);
            assertThat(report.orders()).isEqualTo(5);
            assertThat(report.sold()).isEqualTo(5);
            assertThat(settled(STACK, calm).orders()).isEqualTo(2);
        }
    }

    @Test
    void crashAfterTheBatchCommitted_noRedelivery_theReleaseJobsFenceFollowsTheOrders() throws Exception {
        try (TestStack stack = new TestStack(Duration.ofMinutes(10), Duration.ofSeconds(1))) {
            Sale sale = stack.newSale(10, 1, 1);
            List<ConfirmationMessage> messages = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                messages.add(ConfirmationMessage.of(stack.hold(sale.id(), "b-" + i, 1)));
            }
            ConfirmHandler dying = new ConfirmHandler(stack.claims, stack.fence, s -> {
                if (s == ConfirmHandler.Step.COMMITTED) {
                    throw new IllegalStateException("injected crash after " + s);
                }
            });
            assertThat(dying.confirmAll(messages)).allMatch(r -> r instanceof MessageResult.Failed);
            Thread.sleep(1_100);

            // what the release job does with stale claims: the fence (the orders win), then Redis follows
            List<String> stale = stack.claims.staleClaims(new SaleKeys(sale.id()), 100);
            assertThat(stale).hasSize(4);
            for (String id : stale) {
                Reservation r = stack.store.find(new SaleKeys(sale.id()), id).orElseThrow();
                OrderDecision decision = stack.fence.release(r, ReleaseReason.CLAIM_EXPIRED);
                assertThat(decision).isEqualTo(new OrderDecision.Ordered(false));
                stack.claims.follow(new SaleKeys(sale.id()), id, decision);
            }
            InvariantReport report = settled(stack, sale);
            assertThat(report.count(ReservationStatus.CONFIRMED)).isEqualTo(4);
            assertThat(report.sold()).isEqualTo(4);
        }
    }

    @Test
    void releasesRacingBatches_withDuplicatesAcrossConcurrentBatches_decideEveryReservationOnce() throws Exception {
        for (long seed = 42; seed < 45; seed++) {
            raceReleasesAgainstBatches(seed);
        }
    }

    /**
     * Story: 120 holds on a sale of 100 (Redis over-credited by 20, so the database refuses some). Four confirmers take
     * random batches of 1 to 10 messages (every message at least once, many twice, in concurrent batches), while two
     * release workers release every reservation, in random order, through the fence (CLAIM_EXPIRED, as for a claim
     * gone stale) and make Redis follow the winner.
     */
    private static void raceReleasesAgainstBatches(long seed) throws Exception {
        int holds = 120;
        Sale sale = STACK.newSale(100, 1, 1);
        overCredit(STACK, sale, 20);
        List<Reservation> all = new ArrayList<>();
        for (int i = 0; i < holds; i++) {
            all.add(STACK.hold(sale.id(), "buyer-" + i, 1));
        }
        Random random = new Random(seed);
        List<SQSEvent.SQSMessage> deliveries = new ArrayList<>();
        for (Reservation r : all) {
            deliveries.add(record(r));
            if (random.nextInt(3) > 0) {
                deliveries.add(record(r));
            }
        }
        Collections.shuffle(deliveries, random);
        List<List<SQSEvent.SQSMessage>> batches = new ArrayList<>();
        for (int i = 0; i < deliveries.size(); ) {
            int n = Math.min(deliveries.size() - i, 1 + random.nextInt(10));
            batches.add(deliveries.subList(i, i + n));
            i += n;
        }
        List<Reservation> victims = new ArrayList<>(all);
        Collections.shuffle(victims, random);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger nextBatch = new AtomicInteger();
        AtomicInteger nextVictim = new AtomicInteger();
        Set<String> failed = ConcurrentHashMap.newKeySet();
        Map<String, OrderDecision> releaseJob = new ConcurrentHashMap<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(pool.submit(() -> {
                try (TestStack env = TestStack.create()) {
                    ConfirmInvoker invoker = invoker(env, s -> {});
                    start.await();
                    for (int b = nextBatch.getAndIncrement(); b < batches.size(); b = nextBatch.getAndIncrement()) {
                        failed.addAll(deliver(invoker, batches.get(b)));
                    }
                }
                return null;
            }));
        }
        for (int t = 0; t < 2; t++) {
            workers.add(pool.submit(() -> {
                try (TestStack env = TestStack.create()) {
                    start.await();
                    for (int v = nextVictim.getAndIncrement(); v < victims.size(); v = nextVictim.getAndIncrement()) {
                        Reservation victim = victims.get(v);
                        OrderDecision d = env.fence.release(victim, ReleaseReason.CLAIM_EXPIRED);
                        env.claims.follow(new SaleKeys(sale.id()), victim.id(), d);
                        releaseJob.put(victim.id(), d);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : workers) {
            f.get();
        }
        pool.shutdown();

        assertThat(failed).as("failed records").isEmpty();
        InvariantReport report = reconciledAndSettled(STACK, sale);
        assertThat(report.count(ReservationStatus.CONFIRMED) + report.count(ReservationStatus.EXPIRED))
                .isEqualTo(holds);
        assertThat(report.orders()).isEqualTo(report.count(ReservationStatus.CONFIRMED));
        assertThat(report.orders() + report.releases()).isEqualTo(holds);
        assertThat(report.sold()).isLessThanOrEqualTo(100).isEqualTo(report.orderedUnits());
        for (Reservation r : all) {
            assertThat(ordersOf(r.id())).as("decisions of " + r.id()).isEqualTo(1);
        }
        long releasedByTheJob = releaseJob.values().stream()
                .filter(d -> d instanceof OrderDecision.Released rel && rel.now())
                .count();
        long orderedFirst = releaseJob.values().stream()
                .filter(d -> d instanceof OrderDecision.Ordered)
                .count();
        System.out.printf(
                "[batch race seed %d] %d deliveries in %d batches; the release job released %d, found %d ordered: %s%n",
                seed, deliveries.size(), batches.size(), releasedByTheJob, orderedFirst, report);
    }

    @Test
    void randomBatchesWithRandomCrashes_repeated_endWithEveryReservationDecidedOnce() throws Exception {
        for (int run = 0; run < 5; run++) {
            Random random = new Random(1000 + run);
            // three sales; one of them over-credited in Redis so that the database refuses part of it
            List<Sale> sales = List.of(STACK.newSale(30, 2, 2), STACK.newSale(20, 2, 2), STACK.newSale(8, 2, 2));
            overCredit(STACK, sales.get(2), 6);
            List<Reservation> holds = new ArrayList<>();
            Map<String, Integer> perSale = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                Sale s = sales.get(random.nextInt(3));
                int limit = 2 - perSale.getOrDefault(s.id() + "/" + (i % 7), 0);
                if (limit <= 0 || STACK.available(s.id()) < 1) {
                    continue;
                }
                holds.add(STACK.hold(s.id(), "buyer-" + (i % 7), 1));
                perSale.merge(s.id() + "/" + (i % 7), 1, Integer::sum);
            }
            List<SQSEvent.SQSMessage> pending = new ArrayList<>();
            for (Reservation r : holds) {
                pending.add(record(r));
            }
            Set<String> seen = new HashSet<>();
            int deliveriesLeft = 50;
            while (!pending.isEmpty() && deliveriesLeft-- > 0) {
                Collections.shuffle(pending, random);
                int n = Math.min(pending.size(), 1 + random.nextInt(10));
                List<SQSEvent.SQSMessage> batch = new ArrayList<>(pending.subList(0, n));
                if (random.nextInt(4) == 0) {
                    batch.add(batch.get(0)); // a duplicate within the batch
                }
                ConfirmHandler.Step crashAt = switch (random.nextInt(4)) {
                    case 0 -> ConfirmHandler.Step.CLAIMED;
                    case 1 -> ConfirmHandler.Step.COMMITTED;
                    default -> null;
                };
                Set<String> failed = deliver(
                        invoker(STACK, s -> {
                            if (s == crashAt) {
                                throw new IllegalStateException("injected crash after " + s);
                            }
                        }),
                        batch);
                // acknowledged records leave the queue; failed ones stay for redelivery
                Set<String> done = new HashSet<>();
                for (SQSEvent.SQSMessage m : batch) {
                    if (!failed.contains(m.getMessageId())) {
                        done.add(m.getMessageId());
                    }
                }
                pending.removeIf(m -> done.contains(m.getMessageId()));
                seen.addAll(done);
            }
            assertThat(pending)
                    .as("run " + run + ": messages never acknowledged")
                    .isEmpty();
            int total = 0;
            for (Sale s : sales) {
                InvariantReport report = s == sales.get(2) ? reconciledAndSettled(STACK, s) : settled(STACK, s);
                assertThat(report.sold()).isLessThanOrEqualTo(report.stock());
                total += report.orders() + report.releases();
            }
            assertThat(total)
                    .as("run " + run + ": one decision per reservation")
                    .isEqualTo(holds.size());
        }
    }
}
