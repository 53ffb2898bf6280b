package dev.flashsale.release;

import dev.flashsale.db.SaleRepository;
import dev.flashsale.testing.TestStack;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/** The ReleaseFunction's handler wired to a {@link TestStack}: its store, claims, fence and database. */
public final class ReleaseFixture {

    private ReleaseFixture() {}

    public static ReleaseHandler handler(TestStack stack, ReleaseSettings settings) {
        return handler(stack, settings, step -> {});
    }

    /** @param afterStep called at each step boundary; a test makes it throw to simulate a crash there */
    public static ReleaseHandler handler(
            TestStack stack, ReleaseSettings settings, Consumer<ReleaseHandler.Step> afterStep) {
        return new ReleaseHandler(
                new SaleRepository(stack.db),
                stack.store,
                stack.claims,
                stack.fence,
                settings,
                Clock.systemUTC(),
                afterStep);
    }

    /** The release job's payment deadlines, on the stack's database and Redis. */
    public static PaymentDeadlines deadlines(TestStack stack, ReleaseSettings settings) {
        return new PaymentDeadlines(stack.payments, stack.cancellations(step -> {}), settings, Clock.systemUTC());
    }

    /** Up to {@code maxPerRun} holds a run, every sale in the lookback, no grace. */
    public static ReleaseSettings settings(int maxPerRun) {
        return new ReleaseSettings(maxPerRun, 100_000, Duration.ofDays(1), Duration.ZERO);
    }
}
