package dev.flashsale.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.ProblemType;
import dev.flashsale.query.SaleStatusHandler;
import dev.flashsale.query.SaleStatusInvoker;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.ExpiringIds;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.FaultProxy;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestStack;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Public sale status while Redis is down: the environment's last known figures, flagged stale and never cached by a
 * shared cache, answered fast; a sale it never saw gets 503; fresh figures come back by themselves after recovery.
 */
class SaleStatusDegradationTest {

    private static FaultProxy redisProxy;
    private static RedisConnection proxied;
    private static TestStack stack;
    private static SaleStatusInvoker invoker;

    @BeforeAll
    static void start() {
        URI redis = URI.create(TestRedis.url());
        redisProxy = new FaultProxy(redis.getHost(), redis.getPort() > 0 ? redis.getPort() : 6379);
        proxied = TestRedis.connect(Config.of(Map.of(
                "REDIS_URL", "redis://127.0.0.1:" + redisProxy.port(),
                "REDIS_TIMEOUT", "200ms",
                "REDIS_CONNECT_TIMEOUT", "200ms",
                "BREAKER_OPEN_WAIT", "300ms",
                "BREAKER_MIN_CALLS", "2",
                "BREAKER_WINDOW", "4")));
        stack = TestStack.create();
        invoker = new SaleStatusInvoker(
                new SaleStatusHandler(
                        proxied,
                        new SaleRepository(stack.db),
                        new ExpiringIds(Clock.systemUTC(), Duration.ofSeconds(5)),
                        Clock.systemUTC()),
                dev.flashsale.telemetry.Telemetry.noop());
    }

    @AfterAll
    static void stop() {
        proxied.close();
        stack.close();
        redisProxy.close();
    }

    @Test
    void redisDown_answersTheLastKnownFiguresFlaggedStale_thenFreshAgainAfterRecovery() throws Exception {
        Sale sale = stack.newSale(10, 5, 5);
        stack.hold(sale.id(), "b1", 3);

        // Step 1: healthy: fresh figures, cacheable for a second
        APIGatewayV2HTTPResponse fresh = status(sale.id());
        assertThat(fresh.getStatusCode()).isEqualTo(200);
        assertThat(HttpApi.body(fresh)).containsEntry("remaining", 7).doesNotContainKey("stale");
        assertThat(fresh.getHeaders().get("cache-control")).isEqualTo("public, max-age=1");

        // Step 2: Redis goes away while stock keeps moving: the last known figures, flagged, fast, never shared-cached
        stack.hold(sale.id(), "b2", 2); // straight to Redis, not through the proxy
        redisProxy.refuse();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            APIGatewayV2HTTPResponse degraded = status(sale.id());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("degraded answer time").isLessThan(1_000);
            assertThat(degraded.getStatusCode()).isEqualTo(200);
            assertThat(HttpApi.body(degraded))
                    .containsEntry("remaining", 7)
                    .containsEntry("stale", true)
                    .containsKey("asOf");
            assertThat(degraded.getHeaders().get("cache-control")).isEqualTo("no-store");
        }
        assertThat(proxied.breaker().getState())
                .isNotEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);

        // Step 3: a sale this environment never saw has nothing to fall back on: 503 with Retry-After
        Sale unseen = stack.newSale(10, 5, 5);
        APIGatewayV2HTTPResponse unknown = status(unseen.id());
        assertThat(unknown.getStatusCode()).isEqualTo(503);
        assertThat(unknown.getHeaders()).containsKey("retry-after");
        assertThat(HttpApi.body(unknown).get("type")).isEqualTo(ProblemType.SERVICE_UNAVAILABLE.uri());

        // Step 4: Redis is back: fresh figures (with the hold taken during the outage) without any manual step
        redisProxy.pass();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Object> body = Map.of();
        while (System.nanoTime() < deadline) {
            body = HttpApi.body(status(sale.id()));
            if (!body.containsKey("stale")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(body).containsEntry("remaining", 5).doesNotContainKey("stale");
        assertThat(stack.redis.client().get(new SaleKeys(sale.id()).stock())).isEqualTo("5");
    }

    private static APIGatewayV2HTTPResponse status(String saleId) {
        return invoker.handleRequest(HttpApi.saleStatus(saleId, "buyer"), Lambda.context());
    }
}
