package dev.flashsale.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.flashsale.init.InvocationContext;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.RepoRoot;
import dev.flashsale.testing.TestStack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The release job against the real Redis and PostgreSQL: only what is due, bounded, safe when runs overlap. */
class ReleaseHandlerTest {

    /** Holds and claims that expire after 1s. */
    @AutoClose
    private static final TestStack SHORT = TestStack.shortLived();

    @AutoClose
    private static final TestStack LONG = TestStack.create();

    private static Instant in30s() {
        return Instant.now().plusSeconds(30);
    }

    private static ReservationStatus status(Sale sale, Reservation r) {
        return SHORT.store.find(new SaleKeys(sale.id()), r.id()).orElseThrow().status();
    }

    @Test
    void run_returnsOnlyExpiredHoldsToStock() throws Exception {
        Sale sale = SHORT.newSale(20, 5, 5);
        List<Reservation> expiring = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expiring.add(SHORT.hold(sale.id(), "short-" + i, 2));
        }
        Reservation live = LONG.hold(sale.id(), "long", 3);
        Thread.sleep(1_100);

        ReleaseSummary run =
                ReleaseFixture.handler(SHORT, ReleaseFixture.settings(1_000)).run(List.of(sale.id()), in30s());

        assertThat(run.holdsReleased()).isEqualTo(5);
        assertThat(expiring).allMatch(r -> status(sale, r) == ReservationStatus.EXPIRED);
        assertThat(status(sale, live)).isEqualTo(ReservationStatus.HELD);
        assertThat(SHORT.available(sale.id())).isEqualTo(17);
        new InvariantChecker(SHORT.redis, SHORT.db).requireOk(sale.id(), false);
    }

    @Test
    void run_isBoundedInWork_andTheNextRunsFinishIt() throws Exception {
        Sale sale = SHORT.newSale(30, 1, 1);
        for (int i = 0; i < 25; i++) {
            SHORT.hold(sale.id(), "b-" + i, 1);
        }
        Thread.sleep(1_100);
        ReleaseHandler job = ReleaseFixture.handler(SHORT, ReleaseFixture.settings(10));

        ReleaseSummary first = job.run(List.of(sale.id()), in30s());
        assertThat(first.holdsReleased()).isEqualTo(10);
        assertThat(first.exhausted()).isTrue();
        assertThat(SHORT.available(sale.id())).isEqualTo(15);

        assertThat(job.run(List.of(sale.id()), in30s()).holdsReleased()).isEqualTo(10);
        ReleaseSummary third = job.run(List.of(sale.id()), in30s());
        assertThat(third.holdsReleased()).isEqualTo(5);
        assertThat(third.exhausted()).isFalse();
        new InvariantChecker(SHORT.redis, SHORT.db).requireOk(sale.id(), true);
    }

    @Test
    void run_pastItsDeadline_startsNoWork() throws Exception {
        Sale sale = SHORT.newSale(5, 1, 1);
        SHORT.hold(sale.id(), "b", 1);
        Thread.sleep(1_100);
        ReleaseHandler job =
                ReleaseFixture.handler(SHORT, new ReleaseSettings(100, 100, Duration.ofDays(1), Duration.ofSeconds(5)));

        ReleaseSummary run = job.run(List.of(sale.id()), Instant.now().plusSeconds(2)); // less than the 5s reserve

        assertThat(run.holdsReleased()).isZero();
        assertThat(run.exhausted()).isTrue();
    }

    @Test
    void overlappingRuns_releaseEachExpiredHoldExactlyOnce() throws Exception {
        Sale sale = SHORT.newSale(400, 1, 1);
        for (int i = 0; i < 400; i++) {
            SHORT.hold(sale.id(), "b-" + i, 1);
        }
        Thread.sleep(1_100);

        List<ReleaseSummary> runs = overlapping(4, sale);

        assertThat(runs.stream().mapToInt(ReleaseSummary::holdsReleased).sum()).isEqualTo(400);
        assertThat(SHORT.available(sale.id())).isEqualTo(400);
        InvariantReport report = new InvariantChecker(SHORT.redis, SHORT.db).check(sale.id(), true);
        assertThat(report.violations()).isEmpty();
        assertThat(report.count(ReservationStatus.EXPIRED)).isEqualTo(400);
    }

    @Test
    void overlappingRuns_decideEachStaleClaimExactlyOnce_byTheDatabase() throws Exception {
        // Story: 100 confirmers died after their claim; half of them had committed their order first.
        Sale sale = SHORT.newSale(100, 1, 1);
        List<Reservation> claimed = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Reservation r = SHORT.hold(sale.id(), "b-" + i, 1);
            SHORT.claims.claim(new SaleKeys(sale.id()), r.id());
            if (i % 2 == 0) {
                SHORT.fence.confirm(r);
            }
            claimed.add(r);
        }
        Thread.sleep(1_100);

        List<ReleaseSummary> runs = overlapping(3, sale);

        assertThat(runs.stream().mapToInt(ReleaseSummary::claimsConfirmed).sum())
                .isEqualTo(50);
        assertThat(runs.stream().mapToInt(ReleaseSummary::claimsReleased).sum()).isEqualTo(50);
        InvariantReport report = new InvariantChecker(SHORT.redis, SHORT.db).check(sale.id(), true);
        assertThat(report.violations()).isEmpty();
        assertThat(report.orders()).isEqualTo(50);
        assertThat(report.releases()).isEqualTo(50);
        assertThat(report.available()).isEqualTo(50);
    }

    private static List<ReleaseSummary> overlapping(int n, Sale sale) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<ReleaseSummary>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> {
                try (TestStack env = TestStack.shortLived()) {
                    return ReleaseFixture.handler(env, ReleaseFixture.settings(1_000))
                            .run(List.of(sale.id()), in30s());
                }
            }));
        }
        List<ReleaseSummary> runs = new ArrayList<>();
        for (Future<ReleaseSummary> f : futures) {
            runs.add(f.get());
        }
        pool.shutdown();
        return runs;
    }

    @Test
    void scheduledEvent_runsOverTheSalesInTheDatabase() throws Exception {
        ScheduledEvent event = EventLoader.loadScheduledEvent(RepoRoot.find()
                .resolve("events/eventbridge/release-schedule.json")
                .toString());
        assertThat(event.getDetailType()).isEqualTo("Scheduled Event");
        Sale sale = SHORT.newSale(5, 1, 1);
        Reservation r = SHORT.hold(sale.id(), "b", 1);
        Thread.sleep(1_100);
        ReleaseSettings settings = new ReleaseSettings(100_000, 100_000, Duration.ofHours(2), Duration.ZERO);
        ReleaseInvoker invoker = new ReleaseInvoker(
                ReleaseFixture.handler(SHORT, settings),
                ReleaseFixture.deadlines(SHORT, settings),
                Clock.systemUTC(),
                Telemetry.noop());

        Map<String, Object> summary =
                invoker.handleRequest(event, new InvocationContext("release", "us-east-1", Duration.ofMinutes(1)));

        assertThat(summary)
                .containsKeys(
                        "sales",
                        "holdsReleased",
                        "claimsConfirmed",
                        "claimsReleased",
                        "skipped",
                        "errors",
                        "exhausted",
                        "ordersCancelled");
        assertThat((Integer) summary.get("holdsReleased")).isGreaterThanOrEqualTo(1);
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(SHORT.available(sale.id())).isEqualTo(5);
    }
}
