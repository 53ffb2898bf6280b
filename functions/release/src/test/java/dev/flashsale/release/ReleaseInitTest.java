package dev.flashsale.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.config.Config;
import dev.flashsale.init.FunctionInit;
import dev.flashsale.testing.TestStack;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ReleaseFunction as the runtime builds it: from environment variables, primed, then running. */
class ReleaseInitTest {

    @Test
    void init_fromEnvironment_primesAndRuns() {
        ReleaseInit init = FunctionInit.start(ReleaseInit.from(
                Config.of(TestStack.environment(Map.of("RELEASE_MAX_PER_RUN", "50", "RELEASE_MAX_SALES", "1")))));

        ReleaseSummary run = init.handler().run(Instant.now().plusSeconds(30));

        assertThat(run.sales()).isLessThanOrEqualTo(1);
        assertThat(run.errors()).isZero();
        assertThat(init.handler().run(List.of(), Instant.now().plusSeconds(30)).sales())
                .isZero();
    }
}
