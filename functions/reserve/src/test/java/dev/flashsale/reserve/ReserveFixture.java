package dev.flashsale.reserve;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.config.Config;
import dev.flashsale.init.InvocationContext;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestRedis;
import java.util.HashMap;
import java.util.Map;

/**
 * The ReserveFunction wired as in Lambda (its real {@link ReserveInit} from a config map) against the test Redis and a
 * fresh ElasticMQ queue.
 */
public final class ReserveFixture implements AutoCloseable {

    private static final InvocationContext CONTEXT =
            new InvocationContext("reserve", "us-east-1", java.time.Duration.ofMinutes(15));

    public final String queueUrl;
    public final ReserveInit init;
    public final ReserveInvoker invoker;
    public final RedisConnection redis;

    private ReserveFixture(String queueUrl, ReserveInit init) {
        this.queueUrl = queueUrl;
        this.init = init;
        this.invoker = init.invoker();
        this.redis = init.redis();
    }

    /**
     * A fresh queue; a generous rate limit so that only tests about rate limiting meet it. {@code overrides} may point
     * {@code CONFIRM_QUEUE_URL} or {@code SQS_ENDPOINT} elsewhere (a missing queue, a fault proxy).
     */
    public static ReserveFixture create(Map<String, String> overrides) {
        return withTelemetry(Telemetry.noop(), overrides);
    }

    /** The function's clients and invoker share {@code telemetry} (tests with in-memory exporters). */
    public static ReserveFixture withTelemetry(Telemetry telemetry, Map<String, String> overrides) {
        Map<String, String> env = environment(TestQueue.create("confirm"), overrides);
        ReserveInit init = new ReserveInit(ReserveEnvironment.from(Config.of(env)), telemetry);
        init.prime();
        return new ReserveFixture(env.get("CONFIRM_QUEUE_URL"), init);
    }

    private static Map<String, String> environment(String queueUrl, Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", TestRedis.url());
        env.put("REDIS_CLUSTER_MODE", Boolean.toString(TestRedis.cluster()));
        env.put("REDIS_POOL_SIZE", "64");
        env.put("REDIS_TIMEOUT", "2s");
        env.put("CONFIRM_QUEUE_URL", queueUrl);
        env.put("SQS_ENDPOINT", TestQueue.endpoint().toString());
        env.put("RATE_LIMIT_BURST", "1000");
        env.put("RATE_LIMIT_PER_SECOND", "1000");
        env.put("HOLD_TTL", "10m");
        // a sale unknown to Redis is looked up in the database (lazy load): the test database, not a developer's
        env.put("DATABASE_URL", TestDatabase.settings().url());
        env.put("DB_USER", TestDatabase.settings().user());
        env.put("DB_PASSWORD", TestDatabase.settings().password());
        env.putAll(overrides);
        return env;
    }

    public APIGatewayV2HTTPResponse post(String saleId, String buyerId, String idempotencyKey, String body) {
        return invoke(HttpApi.reserve(saleId, buyerId, idempotencyKey, body));
    }

    public APIGatewayV2HTTPResponse reserve(String saleId, String buyerId, String idempotencyKey, int quantity) {
        return post(saleId, buyerId, idempotencyKey, "{\"quantity\":" + quantity + "}");
    }

    public APIGatewayV2HTTPResponse invoke(APIGatewayV2HTTPEvent event) {
        return invoker.handleRequest(event, CONTEXT);
    }

    /** The sale's available-stock counter, or null when absent. */
    public String stock(String saleId) {
        return redis.call(c -> c.get(new SaleKeys(saleId).stock()));
    }

    public long holdCount(String saleId) {
        return redis.call(c -> c.zcard(new SaleKeys(saleId).holds()));
    }

    public long reservationCount(String saleId) {
        return redis.call(c -> c.hlen(new SaleKeys(saleId).reservations()));
    }

    /** Units the buyer holds, has claimed or bought in the sale, or null. */
    public String units(String saleId, String buyerId) {
        return redis.call(c -> c.hget(new SaleKeys(saleId).units(), buyerId));
    }

    @Override
    public void close() {
        redis.close();
    }
}
