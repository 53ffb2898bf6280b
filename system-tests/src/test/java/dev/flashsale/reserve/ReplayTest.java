package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.confirm.ConfirmHandler;
import dev.flashsale.confirm.ConfirmOutcome;
import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.FaultProxy;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestStack;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Idempotent replays through the real ReserveFunction, with the confirmation queue (ElasticMQ) behind a fault proxy:
 * a replay never cancels a hold, is rate limited like any attempt, re-sends its confirmation only when it can matter,
 * and tells an expired hold as expired.
 */
class ReplayTest {

    private FaultProxy sqsProxy;
    private TestStack stack;

    @BeforeEach
    void start() {
        sqsProxy = new FaultProxy("127.0.0.1", TestQueue.endpoint().getPort());
        stack = TestStack.create();
    }

    @AfterEach
    void stop() {
        sqsProxy.close();
        stack.close();
    }

    /** The ReserveFunction wired as in Lambda, its queue reached through the proxy. */
    private ReserveFixture function(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(overrides);
        env.put("SQS_ENDPOINT", "http://127.0.0.1:" + sqsProxy.port());
        env.put("SQS_CONNECT_TIMEOUT", "500ms");
        return ReserveFixture.create(env);
    }

    private String status(Sale sale, String reservationId) {
        return stack.store
                .find(new SaleKeys(sale.id()), reservationId)
                .orElseThrow()
                .status()
                .name();
    }

    @Test
    void aReplayWhoseResendFails_cancelsNothing_andTheFirstMessageStillBecomesTheOrder() {
        // Regression (issue 12, item 1): the failed re-send of a replay used to cancel the queued hold
        Sale sale = stack.newSale(5, 2, 2);
        try (ReserveFixture fn = function(Map.of())) {
            // Step 1: the buyer's hold is taken and queued, but the 201 never reaches them
            String id = (String)
                    HttpApi.body(fn.reserve(sale.id(), "buyer-1", "key-1", 2)).get("reservationId");

            // Step 2: the queue becomes unreachable and the buyer retries with the same key
            sqsProxy.refuse();
            APIGatewayV2HTTPResponse retry = fn.reserve(sale.id(), "buyer-1", "key-1", 2);

            // the re-send failed: 503, retry later; the hold is untouched
            assertThat(retry.getStatusCode()).isEqualTo(503);
            assertThat((String) HttpApi.body(retry).get("detail"))
                    .contains("is kept")
                    .contains("same Idempotency-Key");
            assertThat(status(sale, id)).isEqualTo("HELD");
            assertThat(fn.stock(sale.id())).isEqualTo("3");

            // Step 3: the first message is delivered: the order is written
            sqsProxy.pass();
            List<Message> queued = TestQueue.drain(fn.queueUrl);
            assertThat(queued).hasSize(1);
            assertThat(new ConfirmHandler(stack.claims, stack.fence)
                            .confirm(ConfirmationMessage.fromJson(queued.get(0).body())))
                    .isEqualTo(ConfirmOutcome.CONFIRMED);

            // Step 4: the next retry answers the same reservation, now confirmed
            APIGatewayV2HTTPResponse later = fn.reserve(sale.id(), "buyer-1", "key-1", 2);
            assertThat(later.getStatusCode()).isEqualTo(200);
            assertThat(HttpApi.body(later)).containsEntry("reservationId", id).containsEntry("status", "CONFIRMED");
            new InvariantChecker(stack.redis, stack.db).requireOk(sale.id(), true);
        }
    }

    @Test
    void replaysSpendTokens_andReSendTheConfirmationAtMostOncePerInterval() {
        // Regression (issue 12, item 6): 200 requests with one key were 200 replays and 200 SQS messages
        Sale sale = stack.newSale(5, 2, 2);
        try (ReserveFixture fn = function(
                Map.of("RATE_LIMIT_BURST", "5", "RATE_LIMIT_PER_SECOND", "1", "REPLAY_RESEND_INTERVAL", "1h"))) {
            Map<Integer, Integer> statuses = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                statuses.merge(fn.reserve(sale.id(), "eager", "same-key", 1).getStatusCode(), 1, Integer::sum);
            }

            // one hold, replays while the bucket lasts (a second or two may refill one token), then 429s
            assertThat(statuses.get(201)).isEqualTo(1);
            assertThat(statuses.get(200)).isBetween(4, 6);
            assertThat(statuses.get(429)).isEqualTo(200 - 1 - statuses.get(200));
            // the hold's message and one re-send (the first attempt might have died before sending)
            assertThat(TestQueue.drain(fn.queueUrl)).hasSize(2);
            assertThat(fn.stock(sale.id())).isEqualTo("4");
        }
    }

    @Test
    void aReplayOfAnExpiredHold_answersExpired_andSendsNothing() throws Exception {
        Sale sale = stack.newSale(5, 2, 2);
        try (ReserveFixture fn = function(Map.of("HOLD_TTL", "1s"))) {
            String id =
                    (String) HttpApi.body(fn.reserve(sale.id(), "slow", "k", 1)).get("reservationId");
            TestQueue.drain(fn.queueUrl);
            Thread.sleep(1_100);

            APIGatewayV2HTTPResponse replay = fn.reserve(sale.id(), "slow", "k", 1);

            assertThat(replay.getStatusCode()).isEqualTo(200);
            assertThat(HttpApi.body(replay)).containsEntry("reservationId", id).containsEntry("status", "EXPIRED");
            assertThat(TestQueue.drain(fn.queueUrl)).isEmpty();
        }
    }

    @Test
    void aSendThatReportsFailureAfterTheMessageWasClaimed_answersTheHold_notReleased() throws Exception {
        // The send reached the queue but its reply was lost; before the SDK gives up, a confirmer claims the message.
        Sale sale = stack.newSale(5, 2, 2);
        try (ReserveFixture fn = function(Map.of())) {
            CountDownLatch lost = sqsProxy.loseReplyTo("SendMessage", FaultProxy.Mode.BLACKHOLE);
            CompletableFuture<APIGatewayV2HTTPResponse> pending =
                    CompletableFuture.supplyAsync(() -> fn.reserve(sale.id(), "b", "k", 1));
            assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();

            List<Message> queued = TestQueue.drain(fn.queueUrl);
            assertThat(queued).hasSize(1);
            ConfirmationMessage message =
                    ConfirmationMessage.fromJson(queued.get(0).body());
            assertThat(stack.claims.claim(new SaleKeys(sale.id()), message.reservationId()))
                    .isInstanceOf(dev.flashsale.reservation.ClaimOutcome.Claimed.class);

            APIGatewayV2HTTPResponse answer = pending.get(10, TimeUnit.SECONDS);
            sqsProxy.pass();

            assertThat(answer.getStatusCode()).isEqualTo(201);
            assertThat(HttpApi.body(answer)).containsEntry("reservationId", message.reservationId());
            assertThat(stack.store
                            .find(new SaleKeys(sale.id()), message.reservationId())
                            .orElseThrow()
                            .status())
                    .isEqualTo(ReservationStatus.CLAIMED);
            assertThat(fn.stock(sale.id())).isEqualTo("4");
        }
    }
}
