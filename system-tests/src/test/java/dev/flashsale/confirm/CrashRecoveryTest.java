package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.release.ReleaseHandler;
import dev.flashsale.release.ReleaseSummary;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Crashes at every step boundary of confirmation and of the release job, then redelivery and release runs: nothing is
 * sold twice, nothing is lost, and every reservation ends CONFIRMED or EXPIRED.
 */
class CrashRecoveryTest {

    /** Claims go stale after 1s, so the release job may settle them within the test. */
    @AutoClose
    private static final TestStack STACK = new TestStack(Duration.ofMinutes(10), Duration.ofSeconds(1));

    private static <S> Consumer<S> crashOnceAt(S step) {
        AtomicBoolean crashed = new AtomicBoolean();
        return s -> {
            if (s == step && crashed.compareAndSet(false, true)) {
                throw new Crash(s);
            }
        };
    }

    /** A confirmer that crashes the first time it reaches {@code step}. */
    private static ConfirmHandler crashingAt(ConfirmHandler.Step step) {
        return new ConfirmHandler(STACK.claims, STACK.fence, crashOnceAt(step));
    }

    /** Delivers {@code m} to a confirmer that crashes at {@code step}: the delivery fails, the message stays. */
    private static void confirmCrashingAt(ConfirmHandler.Step step, ConfirmationMessage m) {
        assertThatThrownBy(() -> crashingAt(step).confirm(m)).isInstanceOf(Crash.class);
    }

    /** The invariants that hold while confirmations are in flight (claims may stand). */
    private static void assertConsistentInFlight(Sale sale) {
        InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), false);
        assertThat(report.violations()).as(report.toString()).isEmpty();
    }

    private static ReservationStatus status(Sale sale, Reservation r) {
        return STACK.store.find(new SaleKeys(sale.id()), r.id()).orElseThrow().status();
    }

    private static ReleaseSummary releaseRun(Sale sale) {
        return ReleaseFixture.handler(STACK, ReleaseFixture.settings(1_000))
                .run(List.of(sale.id()), Instant.now().plusSeconds(30));
    }

    private static void assertSettled(Sale sale) {
        InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), true);
        assertThat(report.violations()).as(report.toString()).isEmpty();
    }

    @Test
    void crashAfterClaim_theRedeliveryConfirms() {
        Sale sale = STACK.newSale(5, 2, 2);
        Reservation r = STACK.hold(sale.id(), "b1", 2);
        ConfirmationMessage m = ConfirmationMessage.of(r);
        var record = SqsEvents.record(m.toJson());

        // the first delivery dies after the claim: the record fails and SQS will redeliver it
        var response = new ConfirmInvoker(crashingAt(ConfirmHandler.Step.CLAIMED), Telemetry.noop())
                .handleRequest(SqsEvents.event(List.of(record)), Lambda.context());
        assertThat(SqsEvents.failedIds(response)).containsExactly(record.getMessageId());
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.CLAIMED);
        assertConsistentInFlight(sale);

        assertThat(new ConfirmHandler(STACK.claims, STACK.fence).confirm(m)).isEqualTo(ConfirmOutcome.CONFIRMED);
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.CONFIRMED);
        assertSettled(sale);
    }

    @Test
    void crashAfterCommit_theRedeliveryMarksItConfirmed_withoutASecondOrder() {
        Sale sale = STACK.newSale(5, 2, 2);
        Reservation r = STACK.hold(sale.id(), "b1", 2);
        ConfirmationMessage m = ConfirmationMessage.of(r);

        confirmCrashingAt(ConfirmHandler.Step.COMMITTED, m);
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.CLAIMED);
        InvariantReport inFlight = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), false);
        assertThat(inFlight.violations()).isEmpty();
        assertThat(inFlight.sold()).isEqualTo(2);

        assertThat(new ConfirmHandler(STACK.claims, STACK.fence).confirm(m))
                .isEqualTo(ConfirmOutcome.ALREADY_CONFIRMED);
        InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), true);
        assertThat(report.violations()).isEmpty();
        assertThat(report.orders()).isEqualTo(1);
        assertThat(report.sold()).isEqualTo(2);
    }

    @Test
    void crashAfterClaim_noRedelivery_theReleaseJobReleasesThroughTheFence() throws Exception {
        Sale sale = STACK.newSale(5, 2, 2);
        Reservation r = STACK.hold(sale.id(), "b1", 2);
        ConfirmationMessage m = ConfirmationMessage.of(r);
        confirmCrashingAt(ConfirmHandler.Step.CLAIMED, m);

        // a live claim is left alone
        assertThat(releaseRun(sale).claimsReleased()).isZero();
        Thread.sleep(1_100);
        ReleaseSummary run = releaseRun(sale);

        assertThat(run.claimsReleased()).isEqualTo(1);
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(STACK.available(sale.id())).isEqualTo(5);
        assertThat(STACK.fence.find(r.id())).contains(new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false));
        // a late redelivery finds nothing to confirm
        assertThat(new ConfirmHandler(STACK.claims, STACK.fence).confirm(m)).isEqualTo(ConfirmOutcome.NOT_HELD);
        assertSettled(sale);
    }

    @Test
    void crashAfterCommit_noRedelivery_theReleaseJobConfirmsThroughTheFence() throws Exception {
        Sale sale = STACK.newSale(5, 2, 2);
        Reservation r = STACK.hold(sale.id(), "b1", 1);
        confirmCrashingAt(ConfirmHandler.Step.COMMITTED, ConfirmationMessage.of(r));
        Thread.sleep(1_100);

        ReleaseSummary run = releaseRun(sale);

        assertThat(run.claimsConfirmed()).isEqualTo(1);
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.CONFIRMED);
        assertThat(STACK.available(sale.id())).isEqualTo(4);
        assertSettled(sale);
    }

    @Test
    void crashInsideTheReleaseJob_afterTheFence_redeliveryOrTheNextRunFollowsTheDatabase() throws Exception {
        Sale sale = STACK.newSale(5, 2, 2);
        Reservation viaRedelivery = STACK.hold(sale.id(), "b1", 1);
        Reservation viaNextRun = STACK.hold(sale.id(), "b2", 2);
        for (Reservation r : List.of(viaRedelivery, viaNextRun)) {
            confirmCrashingAt(ConfirmHandler.Step.CLAIMED, ConfirmationMessage.of(r));
        }
        Thread.sleep(1_100);

        // the job dies right after its first fence decision is committed, before Redis hears of it
        ReleaseHandler dying = ReleaseFixture.handler(STACK, ReleaseFixture.settings(1_000), s -> {
            throw new Crash(s);
        });
        ReleaseSummary crashed = dying.run(List.of(sale.id()), Instant.now().plusSeconds(30));
        assertThat(crashed.errors()).isEqualTo(1);
        Reservation fenced = STACK.fence.find(viaRedelivery.id()).isPresent() ? viaRedelivery : viaNextRun;
        Reservation other = fenced == viaRedelivery ? viaNextRun : viaRedelivery;
        assertThat(STACK.fence.find(fenced.id()))
                .contains(new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false));
        assertThat(status(sale, fenced)).isEqualTo(ReservationStatus.CLAIMED);
        assertConsistentInFlight(sale);

        // a redelivered message for the fenced one re-claims it, loses to the release row, and Redis follows
        assertThat(new ConfirmHandler(STACK.claims, STACK.fence).confirm(ConfirmationMessage.of(fenced)))
                .isEqualTo(ConfirmOutcome.RELEASED);
        assertThat(status(sale, fenced)).isEqualTo(ReservationStatus.EXPIRED);
        // the other is settled by the next run (its re-claim by the redelivery above did not touch it)
        Thread.sleep(1_100);
        ReleaseSummary next = releaseRun(sale);
        assertThat(next.claimsReleased()).isEqualTo(1);
        assertThat(status(sale, other)).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(STACK.available(sale.id())).isEqualTo(5);
        assertSettled(sale);
    }

    @Test
    void randomCrashesEverywhere_withConcurrentReleaseRuns_everyReservationEndsConfirmedOrExpired() throws Exception {
        // Story: 150 holds on a sale of 150. Every message is delivered by a confirmer that crashes at a random step
        // (or not); release runs that crash after random fence decisions run alongside; some messages are never
        // delivered (their holds expire); then some redeliveries happen and the job runs until nothing is left.
        try (TestStack stack = new TestStack(Duration.ofSeconds(4), Duration.ofSeconds(1))) {
            Random random = new Random(7);
            Sale sale = stack.newSale(150, 1, 1);
            List<Reservation> holds = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                holds.add(stack.hold(sale.id(), "buyer-" + i, 1));
            }
            AtomicBoolean confirming = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            Future<Integer> releaser = pool.submit(() -> {
                int runs = 0;
                try (TestStack env = new TestStack(Duration.ofSeconds(4), Duration.ofSeconds(1))) {
                    Random r = new Random(11);
                    ReleaseHandler flaky = ReleaseFixture.handler(env, ReleaseFixture.settings(1_000), s -> {
                        if (r.nextInt(3) == 0) {
                            throw new Crash(s);
                        }
                    });
                    while (confirming.get()) {
                        flaky.run(List.of(sale.id()), Instant.now().plusSeconds(30));
                        runs++;
                        Thread.sleep(50);
                    }
                }
                return runs;
            });
            List<ConfirmationMessage> crashedOrLost = new ArrayList<>();
            List<Future<?>> confirmers = new ArrayList<>();
            List<List<Reservation>> halves = List.of(holds.subList(0, 75), holds.subList(75, 150));
            List<List<ConfirmationMessage>> lost = List.of(new ArrayList<>(), new ArrayList<>());
            for (int h = 0; h < 2; h++) {
                List<Reservation> mine = halves.get(h);
                List<ConfirmationMessage> myLost = lost.get(h);
                long seed = random.nextLong();
                confirmers.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    try (TestStack env = new TestStack(Duration.ofSeconds(4), Duration.ofSeconds(1))) {
                        for (Reservation res : mine) {
                            ConfirmationMessage m = ConfirmationMessage.of(res);
                            int fate = r.nextInt(10);
                            if (fate == 0) {
                                myLost.add(m); // never delivered
                                continue;
                            }
                            ConfirmHandler.Step crashAt = fate <= 3
                                    ? ConfirmHandler.Step.CLAIMED
                                    : fate <= 6 ? ConfirmHandler.Step.COMMITTED : null;
                            try {
                                new ConfirmHandler(env.claims, env.fence, s -> {
                                            if (s == crashAt) {
                                                throw new Crash(s);
                                            }
                                        })
                                        .confirm(m);
                            } catch (Crash e) {
                                myLost.add(m);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : confirmers) {
                f.get();
            }
            confirming.set(false);
            int runs = releaser.get();
            pool.shutdown();
            lost.forEach(crashedOrLost::addAll);

            // Mid-way, with claims and holds in flight, the invariants already hold.
            InvariantReport midway = new InvariantChecker(stack.redis, stack.db).check(sale.id(), false);
            assertThat(midway.violations()).as(midway.toString()).isEmpty();

            // Redeliver half of the crashed or lost messages, then let every hold and claim expire and run the job.
            ConfirmHandler healthy = new ConfirmHandler(stack.claims, stack.fence);
            for (int i = 0; i < crashedOrLost.size(); i += 2) {
                healthy.confirm(crashedOrLost.get(i));
            }
            Thread.sleep(4_100);
            ReleaseHandler job = ReleaseFixture.handler(stack, ReleaseFixture.settings(1_000));
            ReleaseSummary last;
            int finalRuns = 0;
            do {
                last = job.run(List.of(sale.id()), Instant.now().plusSeconds(30));
                finalRuns++;
            } while ((last.holdsReleased() + last.claimsConfirmed() + last.claimsReleased()) > 0 && finalRuns < 10);

            InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(report.violations()).as(report.toString()).isEmpty();
            assertThat(report.count(ReservationStatus.CONFIRMED) + report.count(ReservationStatus.EXPIRED))
                    .isEqualTo(150);
            assertThat(report.orders()).isEqualTo(report.count(ReservationStatus.CONFIRMED));
            assertThat(report.count(ReservationStatus.CONFIRMED)).isPositive();
            assertThat(report.count(ReservationStatus.EXPIRED)).isPositive();
            assertThat(report.available() + report.orderedUnits()).isEqualTo(150);
            System.out.printf(
                    "[chaos] %d crashed or lost of 150, %d concurrent release runs: %s%n",
                    crashedOrLost.size(), runs, report);
        }
    }
}
