package dev.flashsale.local.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.local.LocalStack;
import dev.flashsale.local.LocalTesting;
import dev.flashsale.testing.RepoRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's simulated sale through the whole local stack: a sale with a 4 s payment window sells out, 30% of its
 * buyers never pay, 5% cancel, 5% pay too late; the release job (every second here) cancels what is overdue, and later
 * buyers get every returned unit within the window plus about one job period. The figures are printed; what is asserted
 * are counts and that bound.
 */
class PaymentSimulateTest {

    static final Duration WINDOW = Duration.ofSeconds(4);
    static final Duration JOB_PERIOD = Duration.ofSeconds(1);

    @Test
    void unpaidUnitsAreResoldWithinTheWindowPlusOneJobPeriod_andTheCountsAddUp(@TempDir Path out) throws Exception {
        int stock = 200;
        SimulationOptions options = SimulationOptions.defaults()
                .withBuyers(stock)
                .withStock(stock)
                .withConcurrency(16)
                .withPayment(PaymentMix.of(WINDOW))
                .withOut(out);
        try (LocalStack stack = LocalStack.start(LocalTesting.options(RepoRoot.template(), Map.of())
                .withQuiet(true)
                .withScheduleEvery(JOB_PERIOD))) {
            SimulationSummary s = stack.simulator(options, System.out).run();
            PaymentFigures p = s.payment().orElseThrow();
            System.out.println(s.render());

            assertThat(s.acceptedUnits()).as(s.render()).isEqualTo(stock);
            assertThat(p.orders()).isEqualTo(stock);
            // every first order ended in exactly one state, none still pending
            assertThat(p.paid() + p.cancelledByBuyer() + p.expired() + p.paidAfterCancel())
                    .as(s.render())
                    .isEqualTo(p.orders());
            assertThat(p.expired() + p.paidAfterCancel())
                    .as("about 35%% never paid in time: %s", s.render())
                    .isBetween((long) (stock * 0.2), (long) (stock * 0.5));
            assertThat(p.cancelledByBuyer()).as(s.render()).isPositive();
            assertThat(p.paidAfterCancel()).as(s.render()).isPositive();
            // what came back was sold again, all of it, to later buyers, soon after the deadlines
            assertThat(p.unitsReturned()).isEqualTo(p.cancelledByBuyer() + p.expired() + p.paidAfterCancel());
            assertThat(p.unitsResold()).as(s.render()).isEqualTo(p.unitsReturned());
            assertThat(p.availableAtEnd()).as(s.render()).isZero();
            assertThat(p.lastResaleAfterDeadline().orElseThrow())
                    .as(s.render())
                    .isLessThanOrEqualTo(JOB_PERIOD.plusSeconds(2));
            // and the books balance: no oversell, no duplicate, available + held + sold == stock
            assertThat(s.drained()).as(s.render()).isTrue();
            assertThat(s.invariantsHold()).as(s.render()).isTrue();
            assertThat(s.invariants().sold()).isEqualTo(stock);
        }
    }
}
