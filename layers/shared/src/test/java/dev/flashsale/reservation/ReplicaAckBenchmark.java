package dev.flashsale.reservation;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.redis.ReplicaAck;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.RedisProcess;
import dev.flashsale.testing.TestSales;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Not a test: what waiting for a replica costs a new hold. A primary and a replica ({@code replicaof}) on loopback;
 * sequential new holds (each a new buyer and key) with {@link ReplicaAck#NONE} and with {@code WAIT 1} (timeout 50ms,
 * answer), the two taking turns hold by hold so that the load of a shared machine falls on both alike. Prints p50, p99
 * and mean per mode and round, and the ratio.
 *
 * <pre>java -cp ... dev.flashsale.reservation.ReplicaAckBenchmark [holds=5000] [rounds=3]</pre>
 */
public final class ReplicaAckBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        ReservationPolicy policy = new ReservationPolicy(
                Duration.ofMinutes(10), 1_000_000, 1_000_000, Duration.ofDays(1), Duration.ofSeconds(5));
        ReplicaAck[] modes = {ReplicaAck.NONE, new ReplicaAck(1, Duration.ofMillis(50), ReplicaAck.OnTimeout.ANSWER)};
        String[] names = {"no wait (REDIS_WAIT_REPLICAS=0)", "WAIT 1, 50ms, answer (the template)"};
        try (RedisProcess primary = RedisProcess.start(List.of());
                RedisProcess replica = RedisProcess.start(List.of("replicaof 127.0.0.1 " + primary.port()));
                RedisConnection redis = new RedisConnection(
                        RedisSettings.of(primary.url()),
                        Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(30))),
                        Telemetry.noop())) {
            Thread.sleep(1_000); // the replica's first sync
            System.out.printf(
                    "%d sequential new holds per mode and round (modes interleaved), after %d warm-up; primary :%d, "
                            + "replica :%d on loopback%n",
                    n, n / 5, primary.port(), replica.port());
            for (int round = 1; round <= rounds; round++) {
                Sale sale = TestSales.seed(redis, TestSales.live(10_000_000, 1_000, 1));
                ReservationStore[] stores = {
                    new ReservationStore(redis, policy, modes[0]), new ReservationStore(redis, policy, modes[1])
                };
                long[][] nanos = new long[2][n];
                for (int i = -n / 5; i < n; i++) {
                    for (int m = 0; m < 2; m++) {
                        String buyer = "r" + round + "-m" + m + "-b" + i;
                        long t0 = System.nanoTime();
                        ReserveOutcome o = stores[m].reserve(new ReserveRequest(sale.id(), buyer, "k", 1));
                        long t = System.nanoTime() - t0;
                        if (!(o instanceof ReserveOutcome.Held)) {
                            throw new IllegalStateException("not held: " + o);
                        }
                        if (i >= 0) {
                            nanos[m][i] = t;
                        }
                    }
                }
                double[] p50 = new double[2];
                for (int m = 0; m < 2; m++) {
                    long[] sorted = nanos[m].clone();
                    Arrays.sort(sorted);
                    p50[m] = sorted[n / 2] / 1e6;
                    System.out.printf(
                            "round %d  %-38s p50 %.3f ms  p99 %.3f ms  mean %.3f ms%n",
                            round,
                            names[m],
                            p50[m],
                            sorted[(int) (n * 0.99)] / 1e6,
                            Arrays.stream(sorted).average().orElse(0) / 1e6);
                }
                System.out.printf("round %d  p50 ratio WAIT/no wait: %.2f%n", round, p50[1] / p50[0]);
            }
        }
    }
}
