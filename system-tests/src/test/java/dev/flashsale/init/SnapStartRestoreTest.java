package dev.flashsale.init;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.flashsale.config.Config;
import dev.flashsale.confirm.ConfirmInit;
import dev.flashsale.confirm.ConfirmInvoker;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.orders.PaymentInit;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.query.ReservationQueryInit;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.queue.SqsConfirmationQueue;
import dev.flashsale.release.ReleaseInit;
import dev.flashsale.release.ReleaseSummary;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reserve.ReserveInit;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import dev.flashsale.testing.TestStack;
import dev.flashsale.waitingroom.WaitingRoomInit;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every function through a simulated SnapStart snapshot and restore: built and primed as the runtime builds it, its
 * registered {@code beforeCheckpoint} hooks run, every connection it had killed on the server side (what a restore does
 * to sockets), its {@code afterRestore} hooks run, then it serves a real request.
 */
class SnapStartRestoreTest {

    private static Map<String, String> env(String name, String queueUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", TestRedis.url());
        env.put("REDIS_CLUSTER_MODE", Boolean.toString(TestRedis.cluster()));
        env.put("REDIS_CLIENT_NAME", name);
        env.put("REDIS_TIMEOUT", "2s");
        env.put("DATABASE_URL", ServerSide.databaseUrl(name));
        env.put("DB_USER", TestDatabase.settings().user());
        env.put("CONFIRM_QUEUE_URL", queueUrl == null ? "http://unused" : queueUrl);
        env.put("SQS_ENDPOINT", TestQueue.endpoint().toString());
        env.put("RATE_LIMIT_BURST", "1000");
        return env;
    }

    private static ReserveInit reserveInit(String name, String queueUrl) {
        return FunctionInit.start(ReserveInit.from(Config.of(env(name, queueUrl))));
    }

    /** The hooks close what the function had open, then whatever is left is killed, as a restore would. */
    private static void checkpointKillRestore(Hooks hooks, String name, boolean usesDb) throws InterruptedException {
        assertThat(ServerSide.redisClients(name))
                .as("priming opened a Redis connection")
                .isPositive();
        if (usesDb) {
            assertThat(ServerSide.dbBackends(name))
                    .as("priming opened the database connection")
                    .isPositive();
        }

        hooks.beforeCheckpoint();

        assertThat(ServerSide.awaitZero(() -> ServerSide.redisClients(name)))
                .as("Redis connections left after the hooks")
                .isZero();
        assertThat(ServerSide.awaitZero(() -> ServerSide.dbBackends(name)))
                .as("database backends left after the hooks")
                .isZero();
        ServerSide.killRedisClients(name);
        ServerSide.killDbBackends(name);
        hooks.afterRestore();
    }

    @Test
    void reserve_afterRestore_withOldConnectionsKilled_holdsAndQueues_onANewSqsClient_withTheSameBreaker()
            throws Exception {
        String name = ServerSide.newName("restore-reserve");
        String queueUrl = TestQueue.create("restore");
        ReserveInit init = reserveInit(name, queueUrl);
        SqsConfirmationQueue queue = init.hooks().resources().stream()
                .filter(SqsConfirmationQueue.class::isInstance)
                .map(SqsConfirmationQueue.class::cast)
                .findFirst()
                .orElseThrow();
        var breaker = queue.breaker();
        assertThat(queue.clientsBuilt()).isEqualTo(1);
        assertThat(TestQueue.drain(queueUrl)).as("priming sends nothing").isEmpty();
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(5, 5, 5);

            checkpointKillRestore(init.hooks(), name, false);
            APIGatewayV2HTTPResponse response = init.invoker()
                    .handleRequest(HttpApi.reserve(sale.id(), "b1", "k1", "{\"quantity\":2}"), Lambda.context());

            assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(201);
            assertThat(queue.clientsBuilt())
                    .as("the SQS client was rebuilt after the restore")
                    .isEqualTo(2);
            assertThat(queue.breaker()).isSameAs(breaker);
            assertThat(TestQueue.drain(queueUrl)).hasSize(1);
            assertThat(stack.available(sale.id())).isEqualTo(3);
        }
    }

    /** The control: without the checkpoint hooks, the killed pooled connection fails the first request after restore. */
    @Test
    void reserve_withoutTheHooks_theKilledConnectionFailsTheFirstRequest() throws Exception {
        String name = ServerSide.newName("nohooks-reserve");
        String queueUrl = TestQueue.create("restore");
        ReserveInit init = reserveInit(name, queueUrl);
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(5, 5, 5);

            assertThat(ServerSide.killRedisClients(name)).isPositive();
            APIGatewayV2HTTPResponse response = init.invoker()
                    .handleRequest(HttpApi.reserve(sale.id(), "b1", "k1", "{\"quantity\":1}"), Lambda.context());

            assertThat(response.getStatusCode()).isEqualTo(503);
            assertThat(stack.available(sale.id())).isEqualTo(5);
        }
    }

    @Test
    void query_afterRestore_withOldConnectionsKilled_findsTheReservation() throws Exception {
        String name = ServerSide.newName("restore-query");
        ReservationQueryInit init = FunctionInit.start(ReservationQueryInit.from(Config.of(env(name, null))));
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(5, 5, 5);
            Reservation r = stack.hold(sale.id(), "b1", 1);

            checkpointKillRestore(init.hooks(), name, false);
            APIGatewayV2HTTPResponse response =
                    init.invoker().handleRequest(HttpApi.reservationStatus(sale.id(), r.id(), "b1"), Lambda.context());

            assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(200);
            assertThat(HttpApi.body(response)).containsEntry("reservationId", r.id());
        }
    }

    @Test
    void waitingRoom_afterRestore_withOldConnectionsKilled_admitsWithATicket() throws Exception {
        String name = ServerSide.newName("restore-waiting-room");
        WaitingRoomInit init = FunctionInit.start(WaitingRoomInit.from(Config.of(env(name, null))));
        try (TestStack stack = TestStack.create()) {
            Sale sale = TestSales.seed(stack.redis, TestSales.ticketed(5, 1, 1));

            checkpointKillRestore(init.hooks(), name, false);
            APIGatewayV2HTTPResponse response = init.invoker()
                    .handleRequest(
                            HttpApi.request("POST", "/sales/{saleId}/queue", "/sales/" + sale.id() + "/queue", "b1")
                                    .pathParameter("saleId", sale.id())
                                    .build(),
                            Lambda.context());

            assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(201);
            assertThat(HttpApi.body(response))
                    .containsEntry("state", "admitted")
                    .containsKey("ticket");
        }
    }

    @Test
    void payment_afterRestore_withRedisAndDatabaseConnectionsKilled_paysOneOrderAndCancelsAnother() throws Exception {
        String name = ServerSide.newName("restore-payment");
        String secret = "restore-test-webhook-secret-0123456789";
        Map<String, String> env = env(name, null);
        env.put("PAYMENT_WEBHOOK_SECRET", secret);
        PaymentInit init = FunctionInit.start(PaymentInit.from(Config.of(env)));
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(5, 5, 5, Duration.ofMinutes(10));
            Reservation toPay = stack.hold(sale.id(), "b1", 1);
            stack.confirm(toPay);
            Reservation toCancel = stack.hold(sale.id(), "b2", 2);
            stack.confirm(toCancel);

            checkpointKillRestore(init.hooks(), name, true);
            String body = "{\"eventId\":\"evt_restore-" + toPay.id() + "\",\"reservationId\":\"" + toPay.id()
                    + "\",\"amountCents\":1999,\"currency\":\"USD\"}";
            String signature = new WebhookSignature(secret.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5))
                    .sign(body, Instant.now());
            APIGatewayV2HTTPResponse paid = init.invoker()
                    .handleRequest(
                            HttpApi.request("POST", "/payments/events", "/payments/events", null)
                                    .header("content-type", "application/json")
                                    .header("flashsale-signature", signature)
                                    .body(body)
                                    .build(),
                            Lambda.context());
            APIGatewayV2HTTPResponse cancelled = init.invoker()
                    .handleRequest(
                            HttpApi.request(
                                            "DELETE",
                                            "/sales/{saleId}/reservations/{reservationId}",
                                            "/sales/" + sale.id() + "/reservations/" + toCancel.id(),
                                            "b2")
                                    .pathParameter("saleId", sale.id())
                                    .pathParameter("reservationId", toCancel.id())
                                    .build(),
                            Lambda.context());

            assertThat(paid.getStatusCode()).as(paid.getBody()).isEqualTo(200);
            assertThat(HttpApi.body(paid)).containsEntry("outcome", "PAID");
            assertThat(cancelled.getStatusCode()).as(cancelled.getBody()).isEqualTo(200);
            assertThat(HttpApi.body(cancelled)).containsEntry("status", "CANCELLED");
            assertThat(stack.available(sale.id()))
                    .as("the cancelled units are back on sale")
                    .isEqualTo(4);
        }
    }

    @Test
    void confirm_afterRestore_withRedisAndDatabaseConnectionsKilled_writesTheOrder() throws Exception {
        String name = ServerSide.newName("restore-confirm");
        ConfirmInit init = FunctionInit.start(ConfirmInit.from(Config.of(env(name, null))));
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(5, 5, 5);
            Reservation r = stack.hold(sale.id(), "b1", 2);

            checkpointKillRestore(init.hooks(), name, true);
            SQSBatchResponse response = new ConfirmInvoker(init.handler(), Telemetry.noop())
                    .handleRequest(
                            SqsEvents.event(List.of(
                                    SqsEvents.record(ConfirmationMessage.of(r).toJson()))),
                            Lambda.context());

            assertThat(response.getBatchItemFailures()).isEmpty();
            new InvariantChecker(stack.redis, stack.db).requireOk(sale.id(), true);
            assertThat(ServerSide.dbBackends(name))
                    .as("a new database connection")
                    .isEqualTo(1);
        }
    }

    @Test
    void release_afterRestore_withRedisAndDatabaseConnectionsKilled_returnsAnExpiredHold() throws Exception {
        String name = ServerSide.newName("restore-release");
        ReleaseInit init = FunctionInit.start(ReleaseInit.from(Config.of(env(name, null))));
        try (TestStack stack = new TestStack(Duration.ofMillis(300), Duration.ofMinutes(2))) {
            Sale sale = stack.newSale(5, 5, 5);
            stack.hold(sale.id(), "b1", 2);
            Thread.sleep(400);

            checkpointKillRestore(init.hooks(), name, true);
            ReleaseSummary run =
                    init.handler().run(List.of(sale.id()), Instant.now().plusSeconds(30));

            assertThat(run.holdsReleased()).isEqualTo(1);
            assertThat(run.errors()).isZero();
            assertThat(stack.available(sale.id())).isEqualTo(5);
        }
    }
}
