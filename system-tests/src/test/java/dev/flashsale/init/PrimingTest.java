package dev.flashsale.init;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.admin.AdminInit;
import dev.flashsale.config.Config;
import dev.flashsale.confirm.ConfirmInit;
import dev.flashsale.orders.PaymentInit;
import dev.flashsale.prewarm.PrewarmInit;
import dev.flashsale.query.ReservationQueryInit;
import dev.flashsale.query.SaleStatusInit;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.release.ReleaseInit;
import dev.flashsale.reserve.ReserveInit;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestStack;
import dev.flashsale.waitingroom.WaitingRoomInit;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** Priming runs every function's path and changes nothing: no Redis key, no row, no message. */
class PrimingTest {

    @Test
    void primingEveryFunction_writesNothing_andUsesItsConnections() throws Exception {
        String queueUrl = TestQueue.create("priming");
        Config config = Config.of(TestStack.environment(Map.of(
                "CONFIRM_QUEUE_URL",
                queueUrl,
                "SQS_ENDPOINT",
                TestQueue.endpoint().toString(),
                "PAYMENT_WEBHOOK_SECRET",
                "priming-test-webhook-secret-0123456789")));

        ReserveInit reserve = ReserveInit.from(config);
        ReservationQueryInit query = ReservationQueryInit.from(config);
        ConfirmInit confirm = ConfirmInit.from(config);
        ReleaseInit release = ReleaseInit.from(config);
        // the lifecycle functions: their priming reads (and the admin's invalid create is refused) but writes nothing
        List<FunctionInit<?>> lifecycle = List.of(
                SaleStatusInit.from(config),
                AdminInit.from(config),
                PrewarmInit.from(config),
                WaitingRoomInit.from(config),
                PaymentInit.from(config));
        long redisCallsBefore = reserve.redis().calls()
                + query.redis().calls()
                + confirm.redis().calls()
                + release.redis().calls();
        reserve.prime();
        query.prime();
        confirm.prime();
        release.prime();
        lifecycle.forEach(FunctionInit::prime);

        assertThat(reserve.redis().calls()
                        + query.redis().calls()
                        + confirm.redis().calls()
                        + release.redis().calls())
                .as("priming went to Redis")
                .isGreaterThan(redisCallsBefore + 4);
        assertThat(primeKeys()).as("Redis keys of the prime sale").isEmpty();
        assertThat(TestQueue.drain(queueUrl)).as("messages sent by priming").isEmpty();
        try (Connection c = TestDatabase.jdbc();
                Statement s = c.createStatement()) {
            for (String table : List.of(
                    "sales WHERE id",
                    "orders WHERE sale_id",
                    "releases WHERE sale_id",
                    "payments WHERE reservation_id")) {
                try (ResultSet rs =
                        s.executeQuery("SELECT count(*) FROM " + table + " = '" + PrimeSamples.SALE_ID + "'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as(table).isZero();
                }
            }
        }
        lifecycle.forEach(FunctionInit::registerCracResources);
        lifecycle.forEach(i -> i.hooks().beforeCheckpoint()); // closes their connections
        for (Hooks h : List.of(reserve.hooks(), query.hooks(), confirm.hooks(), release.hooks())) {
            assertThat(h.resources())
                    .as("nothing registered until registerCracResources")
                    .isEmpty();
        }
        reserve.redis().close();
        query.redis().close();
        confirm.redis().close();
        confirm.db().close();
        release.redis().close();
        release.db().close();
    }

    private static Set<String> primeKeys() {
        try (RedisConnection redis = TestRedis.connect()) {
            Set<String> keys = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                String from = cursor;
                ScanResult<String> page = redis.call(c -> c.scan(
                        from,
                        new ScanParams().match("*" + PrimeSamples.SALE_ID + "*").count(1000)));
                keys.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return keys;
        }
    }
}
