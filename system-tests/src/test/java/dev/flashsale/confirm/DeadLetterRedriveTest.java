package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.OrderFence;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.release.ReleaseFixture;
import dev.flashsale.release.ReleaseHandler;
import dev.flashsale.release.ReleaseSummary;
import dev.flashsale.reservation.HoldClaims;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.template.CfnYaml;
import dev.flashsale.testing.FaultProxy;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.RepoRoot;
import dev.flashsale.testing.SqsEvents;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestStack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The whole dead-letter path on a real queue pair with the template's redrive policy: a confirmation that keeps
 * failing (the database is down) goes to the DLQ; its reservation stays decidable as an order for REDRIVE_WINDOW, so a
 * redrive after the outage writes the order; after the window the release job releases it and a redrive is
 * acknowledged as released, with a status the buyer can read.
 */
class DeadLetterRedriveTest {

    private static final Duration CLAIM_TTL = Duration.ofSeconds(1);
    private FaultProxy dbProxy;
    private TestStack stack;
    private DbConnection confirmDb;
    private String queue;
    private String dlq;

    @BeforeEach
    void start() throws Exception {
        int pgPort = Integer.parseInt(TestDatabase.settings().url().replaceFirst(".*//[^:/]+:(\\d+)/.*", "$1"));
        dbProxy = new FaultProxy("127.0.0.1", pgPort);
        stack = new TestStack(Duration.ofMinutes(10), CLAIM_TTL);
        confirmDb = TestDatabase.connect(Config.of(Map.of(
                "DATABASE_URL",
                TestDatabase.settings().url().replaceFirst("//[^/]+/", "//127.0.0.1:" + dbProxy.port() + "/"),
                "DB_USER",
                TestDatabase.settings().user(),
                "DB_PASSWORD",
                TestDatabase.settings().password(),
                "DB_CONNECT_TIMEOUT",
                "1s",
                "DB_SOCKET_TIMEOUT",
                "1s",
                "BREAKER_DB_OPEN_WAIT",
                "500ms"))); // the outage opens it; the redrive comes after it half-opens
        // the template's redrive policy, on ElasticMQ
        JsonNode redrive = CfnYaml.read(RepoRoot.find().resolve("template.yaml"))
                .path("Resources")
                .path("ConfirmQueue")
                .path("Properties")
                .path("RedrivePolicy");
        int maxReceiveCount = redrive.path("maxReceiveCount").asInt();
        assertThat(maxReceiveCount).isGreaterThan(1);
        dlq = TestQueue.create("confirm-dlq");
        String dlqArn = TestQueue.client()
                .getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes()
                .get(QueueAttributeName.QUEUE_ARN);
        queue = TestQueue.create(
                "confirm",
                Map.of(
                        QueueAttributeName.REDRIVE_POLICY,
                        "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount
                                + "\"}"));
    }

    @AfterEach
    void stop() {
        confirmDb.close();
        stack.close();
        dbProxy.close();
    }

    private ConfirmInvoker confirmer(HoldClaims claims) {
        return new ConfirmInvoker(new ConfirmHandler(claims, new OrderFence(confirmDb)), Telemetry.noop());
    }

    private ReleaseHandler releaseJob(HoldClaims claims) {
        return new ReleaseHandler(
                new SaleRepository(stack.db),
                stack.store,
                claims,
                stack.fence,
                ReleaseFixture.settings(1_000),
                Clock.systemUTC(),
                step -> {});
    }

    /** The event source mapping's loop: receive (visible again at once), invoke, delete what was acknowledged. */
    private static int pumpUntilEmpty(String queueUrl, ConfirmInvoker invoker) {
        int deliveries = 0;
        for (int i = 0; i < 50; i++) {
            List<Message> batch = TestQueue.client()
                    .receiveMessage(b -> b.queueUrl(queueUrl)
                            .maxNumberOfMessages(10)
                            .visibilityTimeout(0)
                            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
                            .waitTimeSeconds(0))
                    .messages();
            if (batch.isEmpty()) {
                return deliveries;
            }
            deliveries += batch.size();
            SQSBatchResponse response = invoker.handleRequest(SqsEvents.fromQueue(batch), Lambda.context());
            var failed = SqsEvents.failedIds(response);
            for (Message m : batch) {
                if (!failed.contains(m.messageId())) {
                    TestQueue.client().deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
                }
            }
        }
        throw new AssertionError("the queue did not drain");
    }

    private void redrive() {
        List<Message> dead = TestQueue.drain(dlq);
        assertThat(dead).hasSize(1);
        for (Message m : dead) {
            TestQueue.client().sendMessage(b -> b.queueUrl(queue).messageBody(m.body()));
        }
    }

    private Reservation holdAndQueue(Sale sale) {
        Reservation r = stack.hold(sale.id(), "buyer-1", 2);
        TestQueue.client()
                .sendMessage(b ->
                        b.queueUrl(queue).messageBody(ConfirmationMessage.of(r).toJson()));
        return r;
    }

    private void databaseOutageUntilTheMessageIsDeadLettered(ConfirmInvoker confirmer) {
        dbProxy.refuse();
        int deliveries = pumpUntilEmpty(queue, confirmer);
        assertThat(deliveries).as("delivered until maxReceiveCount").isGreaterThan(1);
        assertThat(TestQueue.client()
                        .getQueueAttributes(
                                b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                        .attributes()
                        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .isEqualTo("1");
        dbProxy.pass();
    }

    private ReservationStatus status(Sale sale, Reservation r) {
        return stack.store.find(new SaleKeys(sale.id()), r.id()).orElseThrow().status();
    }

    @Test
    void redrivenWithinTheWindow_theReservationBecomesTheOrder() throws Exception {
        // Regression (issue 12, item 2): the claim lapsed CLAIM_TTL after the last delivery; the first release run
        // after
        // the database came back released it, and the redrive found it EXPIRED and wrote no order.
        Sale sale = stack.newSale(5, 2, 2);
        HoldClaims claims = new HoldClaims(stack.redis, CLAIM_TTL, Duration.ofDays(1));
        Reservation r = holdAndQueue(sale);

        // Step 1: the database is down for every delivery: the message ends in the DLQ, its reservation parked
        databaseOutageUntilTheMessageIsDeadLettered(confirmer(claims));
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.CLAIMED);

        // Step 2: the database is back; well past CLAIM_TTL the release job runs and keeps its hands off
        Thread.sleep(CLAIM_TTL.toMillis() + 200);
        ReleaseSummary run =
                releaseJob(claims).run(List.of(sale.id()), Instant.now().plusSeconds(30));
        assertThat(run.claimsReleased()).isZero();
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.CLAIMED);

        // Step 3: the operator redrives the DLQ: the order is written
        redrive();
        pumpUntilEmpty(queue, confirmer(claims));
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.CONFIRMED);
        assertThat(stack.fence.find(r.id())).contains(new OrderDecision.Ordered(false));
        new InvariantChecker(stack.redis, stack.db).requireOk(sale.id(), true);
    }

    @Test
    void afterTheWindow_theReleaseJobReleasesIt_andARedriveIsAcknowledgedAsReleased() throws Exception {
        Sale sale = stack.newSale(5, 2, 2);
        Duration window = Duration.ofSeconds(2);
        HoldClaims claims = new HoldClaims(stack.redis, CLAIM_TTL, window);
        Reservation r = holdAndQueue(sale);
        databaseOutageUntilTheMessageIsDeadLettered(confirmer(claims));

        // Step 1: nobody redrives within the window: the release job releases the reservation, its units go back
        Thread.sleep(window.toMillis() + 200);
        ReleaseSummary run =
                releaseJob(claims).run(List.of(sale.id()), Instant.now().plusSeconds(30));
        assertThat(run.claimsReleased()).isEqualTo(1);
        assertThat(status(sale, r)).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(stack.available(sale.id())).isEqualTo(5);

        // Step 2: a late redrive is acknowledged (not failed again), and the database says why there is no order
        redrive();
        pumpUntilEmpty(queue, confirmer(claims));
        assertThat(TestQueue.drain(dlq)).isEmpty();
        assertThat(stack.fence.find(r.id())).contains(new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false));
        new InvariantChecker(stack.redis, stack.db).requireOk(sale.id(), true);
    }
}
