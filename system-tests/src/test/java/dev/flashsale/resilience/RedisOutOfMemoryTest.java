package dev.flashsale.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmInvoker;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderFence;
import dev.flashsale.http.ProblemType;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.reserve.ReserveFixture;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.RedisProcess;
import dev.flashsale.testing.RedisSnapshot;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestSales;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis that refuses writes (maxmemory reached with {@code noeviction}, the policy the template sets): reservations and
 * confirmations answer 503 / fail for redelivery, and nothing is half-written. A script is refused at its first write,
 * so no script stops half way.
 */
class RedisOutOfMemoryTest {

    private static RedisProcess full;
    private static RedisConnection redis;

    @BeforeAll
    static void start() {
        full = RedisProcess.start(List.of("maxmemory 4mb", "maxmemory-policy noeviction"));
        redis = RedisConnection.create(RedisSettings.of(full.url()));
    }

    @AfterAll
    static void stop() {
        redis.close();
        full.close();
    }

    /** Writes filler until Redis refuses with OOM. */
    private static void fill() {
        String filler = "x".repeat(64 * 1024);
        for (int i = 0; i < 1_000; i++) {
            try {
                int n = i;
                redis.call(c -> c.set("filler-" + n, filler));
            } catch (RuntimeException e) {
                assertThat(e.getMessage()).contains("OOM");
                // Just past the limit, freeing a client buffer can bring Redis back under it (and a script would run):
                // a limit far below what is used keeps every write refused for the rest of the test.
                redis.call(c -> c.configSet("maxmemory", "1mb"));
                return;
            }
        }
        throw new AssertionError("Redis never refused a write");
    }

    @Test
    void whenRedisRefusesWrites_reservationsAnswer503_confirmationsFail_andNothingChanges() {
        Sale sale = TestSales.seed(redis, TestSales.live(10, 5, 5));
        try (DbConnection db = TestDatabase.connect();
                ReserveFixture fn =
                        ReserveFixture.create(Map.of("REDIS_URL", full.url(), "BREAKER_REDIS_MIN_CALLS", "100"))) {
            TestDatabase.create(db, sale);
            APIGatewayV2HTTPResponse held = fn.reserve(sale.id(), "early", "k-early", 1);
            assertThat(held.getStatusCode()).isEqualTo(201);
            String heldId = (String) HttpApi.body(held).get("reservationId");
            fill();
            Map<String, Object> before = RedisSnapshot.of(redis, sale.id(), List.of());

            // a new reservation, and a replay, both need a write: 503 with Retry-After, the problem says so
            for (APIGatewayV2HTTPResponse refused :
                    List.of(fn.reserve(sale.id(), "late", "k-late", 1), fn.reserve(sale.id(), "early", "k-early", 1))) {
                assertThat(refused.getStatusCode()).isEqualTo(503);
                assertThat(refused.getHeaders()).containsKey("retry-after");
                assertThat(HttpApi.body(refused).get("type")).isEqualTo(ProblemType.SERVICE_UNAVAILABLE.uri());
            }

            // the confirmation cannot claim: the record fails for redelivery
            ConfirmationMessage message = ConfirmationMessage.of(
                    new ReservationStore(redis, ReservationPolicy.ofDefaults(), dev.flashsale.redis.ReplicaAck.NONE)
                            .find(new dev.flashsale.redis.SaleKeys(sale.id()), heldId)
                            .orElseThrow());
            ConfirmInvoker confirmer = new ConfirmInvoker(
                    new ConfirmHandler(
                            new HoldClaims(redis, Duration.ofMinutes(5), Duration.ofDays(1)), new OrderFence(db)),
                    Telemetry.noop());
            var record = SqsEvents.record(message.toJson());
            SQSBatchResponse response = confirmer.handleRequest(SqsEvents.event(List.of(record)), Lambda.context());
            assertThat(SqsEvents.failedIds(response)).containsExactly(record.getMessageId());

            assertThat(RedisSnapshot.of(redis, sale.id(), List.of())).isEqualTo(before);
        }
    }
}
