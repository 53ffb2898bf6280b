package dev.flashsale.local.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.local.LocalStack;
import dev.flashsale.local.LocalTesting;
import dev.flashsale.testing.RedisCluster;
import dev.flashsale.testing.RepoRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local runner pointed at one node of a real Redis Cluster (3 masters, one replica each) finds out that it is a
 * cluster and speaks the cluster protocol everywhere: the functions, the dashboard and the simulator. Regression
 * (issue 19): the simulator's own Redis access did not, and died with {@code MOVED} whenever the sale's slot was on
 * another node than the one {@code REDIS_URL} names.
 */
class ClusterSimulateTest {

    @Test
    void salesOnEveryNode_sellOutAndConfirm_withTheInvariantsHeld(@TempDir Path out) throws Exception {
        try (RedisCluster cluster = RedisCluster.start(3, 1)) {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("REDIS_URL", cluster.url());
            try (LocalStack stack = LocalStack.start(LocalTesting.options(RepoRoot.template(), Map.of())
                    .withProcessEnv(env)
                    .withQuiet(true))) {
                assertThat(stack.services().redisCluster()).isTrue();
                // a sale's id (and so its node) is random: sell until sales have landed off the named node
                int elsewhere = 0;
                for (int run = 0; run < 12 && elsewhere < 2; run++) {
                    SimulationSummary s = stack.simulator(options(out.resolve("run-" + run)), null)
                            .run();
                    assertThat(s.invariantsHold()).as(s.render()).isTrue();
                    assertThat(s.drained()).isTrue();
                    assertThat(s.accepted()).isEqualTo(20);
                    assertThat(s.confirmedUnits()).isEqualTo(20);
                    if (cluster.ownerOf("{" + s.saleId() + "}")
                            != cluster.masters().get(0)) {
                        elsewhere++;
                    }
                }
                assertThat(elsewhere)
                        .as("sales whose slot is on another node than REDIS_URL's")
                        .isEqualTo(2);
            }
        }
    }

    private static SimulationOptions options(Path out) {
        return SimulationOptions.defaults()
                .withBuyers(60)
                .withStock(20)
                .withConcurrency(8)
                .withDuration(Duration.ofSeconds(60))
                .withOut(out);
    }
}
