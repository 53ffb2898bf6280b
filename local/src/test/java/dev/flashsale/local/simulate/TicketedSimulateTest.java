package dev.flashsale.local.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.admission.AdmissionPolicy;
import dev.flashsale.config.Config;
import dev.flashsale.local.LocalStack;
import dev.flashsale.local.LocalTesting;
import dev.flashsale.testing.RepoRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load proof of issue 17 through the whole local stack: the crowd of 20,000 buyers for 300 units, once
 * ticketed and once open, in one stack (20-25 s on a 2-core machine: the ticketed crowd's 20,000 joins and its polls
 * are most of it). The figures are printed (docs/local.md), not asserted; what is asserted are counts.
 */
class TicketedSimulateTest {

    static final int STOCK = 300;
    static final int BUYERS = 20_000;

    @Test
    void aTicketedSale_sendsAboutOneReservationPerUnit_andAnswersEveryBuyer_whereAnOpenSaleTakesTheWholeCrowd(
            @TempDir Path out) throws Exception {
        SimulationOptions options = SimulationOptions.defaults()
                .withBuyers(BUYERS)
                .withStock(STOCK)
                .withConcurrency(16)
                .withAttempts(3)
                .withDuration(Duration.ofSeconds(90))
                .withPollCap(Duration.ofSeconds(1))
                .withOut(out);
        try (LocalStack stack = LocalStack.start(
                LocalTesting.options(RepoRoot.template(), Map.of()).withQuiet(true))) {
            // The bound comes from the waiting room's settings as this stack runs it (the template's AdmissionFactor).
            AdmissionPolicy policy =
                    AdmissionPolicy.from(Config.of(stack.environment("WaitingRoomFunction")), Duration.ofDays(1));

            SimulationSummary ticketed =
                    stack.simulator(options.withTicketed(true), System.out).run();
            TicketedFigures t = ticketed.ticketed().orElseThrow();

            // Every unit sold, every buyer answered (held or sold out), nothing broken.
            assertThat(ticketed.acceptedUnits()).as(ticketed.render()).isEqualTo(STOCK);
            assertThat(t.held()).isEqualTo(STOCK);
            assertThat(t.answered()).as(ticketed.render()).isEqualTo(BUYERS);
            assertThat(t.joins()).isGreaterThanOrEqualTo(BUYERS);
            assertThat(ticketed.invariantsHold()).as(ticketed.render()).isTrue();
            assertThat(ticketed.drained()).isTrue();
            // Load: only admitted buyers reserve, and at most factor x stock are admitted while no hold comes back.
            long bound = (long) Math.floor(policy.factor() * STOCK) + t.retries();
            assertThat(ticketed.requests()).as(ticketed.render()).isLessThanOrEqualTo(bound);
            assertThat(t.admitted()).isLessThanOrEqualTo((long) Math.floor(policy.factor() * STOCK));
            // Fairness at HTTP level: the holds went to the earliest positions, before anyone never admitted.
            assertThat(t.holdsInQueueOrder()).as(ticketed.render()).isTrue();
            assertThat(t.earliestNeverAdmitted()).isPositive();

            SimulationSummary open =
                    stack.simulator(options.withAttempts(1), System.out).run();

            assertThat(open.ticketed()).isEmpty();
            assertThat(open.acceptedUnits()).as(open.render()).isEqualTo(STOCK);
            assertThat(open.invariantsHold()).as(open.render()).isTrue();
            // Open, every buyer's request reaches the ReserveFunction: the crowd over the stock per unit sold.
            assertThat(open.requests()).isEqualTo(BUYERS);
            double ratio = open.reservationRequestsPerUnitSold() / ticketed.reservationRequestsPerUnitSold();
            assertThat(ratio)
                    .as(
                            "open %.2f vs ticketed %.2f reserve calls per unit sold",
                            open.reservationRequestsPerUnitSold(), ticketed.reservationRequestsPerUnitSold())
                    .isGreaterThan(BUYERS / (2.0 * STOCK));
            System.out.printf(
                    "reserve calls per unit sold: ticketed %.2f, open %.2f (%d buyers, %d units)%n",
                    ticketed.reservationRequestsPerUnitSold(), open.reservationRequestsPerUnitSold(), BUYERS, STOCK);
        }
    }

    @Test
    void randomizedCrowdsWithNoShows_holdsGoToTheEarliestPositions_andNoAdmittedBuyerFindsTheSaleSoldOut(
            @TempDir Path out) throws Exception {
        // Factor 1: an admitted buyer always has a unit waiting. Tickets of 5 s (the shortest allowed), so that the
        // turns of buyers who walk away pass on within the test.
        Map<String, String> env =
                Map.of("WaitingRoomFunction.ADMISSION_FACTOR", "1", "WaitingRoomFunction.ADMISSION_TICKET_TTL", "5s");
        int stock = 40;
        int buyers = 600;
        SimulationOptions options = SimulationOptions.defaults()
                .withTicketed(true)
                .withBuyers(buyers)
                .withStock(stock)
                .withConcurrency(6)
                .withAttempts(3)
                .withNoShowPercent(25)
                .withDuration(Duration.ofSeconds(90));
        try (LocalStack stack = LocalStack.start(
                        LocalTesting.options(RepoRoot.template(), env).withQuiet(true));
                ExecutorService sales = Executors.newFixedThreadPool(3)) {
            // Three sales at once, each crowd choosing at random who walks away.
            List<Future<SimulationSummary>> runs = List.of(1, 2, 3).stream()
                    .map(i -> sales.submit(() -> stack.simulator(options.withOut(out.resolve("sale-" + i)), null)
                            .run()))
                    .toList();
            for (Future<SimulationSummary> run : runs) {
                SimulationSummary s = run.get();
                TicketedFigures t = s.ticketed().orElseThrow();
                System.out.println(s.render());

                assertThat(t.walkedAway()).as(s.render()).isPositive();
                assertThat(s.acceptedUnits()).as(s.render()).isEqualTo(stock);
                assertThat(t.answered() + t.walkedAway()).as(s.render()).isEqualTo(buyers);
                // Fair: every hold before every buyer never admitted; the lapsed turns went to the next in line.
                assertThat(t.holdsInQueueOrder()).as(s.render()).isTrue();
                assertThat(t.soldOutWhenAdmitted()).as(s.render()).isZero();
                // Only admitted buyers who stayed reserve.
                assertThat(s.requests())
                        .as(s.render())
                        .isLessThanOrEqualTo(t.admitted() - t.walkedAway() + t.retries());
                assertThat(s.invariantsHold()).as(s.render()).isTrue();
            }
        }
    }
}
