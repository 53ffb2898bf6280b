package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.ProblemType;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationPolicy;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reservation.ReservationStore;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestSales;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** The confirmation message on a real SQS-compatible queue, and what happens when the queue refuses it. */
class ReserveQueueTest {

    @AutoClose
    private static final ReserveFixture fx = ReserveFixture.create(Map.of());

    @Test
    void reserve_sendsAVersionedConfirmationMessageWithTheHold() {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(10, 5, 5));
        TestQueue.drain(fx.queueUrl);

        Map<String, Object> body = HttpApi.body(fx.reserve(sale.id(), "buyer-7", "k-1", 2));

        List<Message> messages = TestQueue.drain(fx.queueUrl);
        assertThat(messages).hasSize(1);
        Message m = messages.get(0);
        assertThat(m.messageAttributes().get("version").stringValue()).isEqualTo("2");
        assertThat(m.messageAttributes().get("saleId").stringValue()).isEqualTo(sale.id());
        ConfirmationMessage msg = ConfirmationMessage.fromJson(m.body());
        assertThat(msg.reservationId()).isEqualTo(body.get("reservationId"));
        assertThat(msg.saleId()).isEqualTo(sale.id());
        assertThat(msg.buyerId()).isEqualTo("buyer-7");
        assertThat(msg.quantity()).isEqualTo(2);
        assertThat(msg.idempotencyKey()).isEqualTo("k-1");
        assertThat(msg.heldAt().toString()).isEqualTo(body.get("createdAt"));
        assertThat(msg.expiresAt().toString()).isEqualTo(body.get("expiresAt"));
        assertThat(m.body()).contains("\"version\":2");
    }

    @Test
    void queueRefusingTheMessage_releasesTheHoldAndAnswers503_thenTheSameKeyWorks() {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(5, 5, 5));
        String missingQueue = TestQueue.endpoint() + "/000000000000/no-such-queue";
        String cancelledId;
        try (ReserveFixture broken = ReserveFixture.create(Map.of("CONFIRM_QUEUE_URL", missingQueue))) {

            // Step 1: the hold is taken, the send fails, the hold is released, the client is told to retry
            APIGatewayV2HTTPResponse refused = broken.reserve(sale.id(), "buyer-1", "retry-me", 2);
            assertThat(refused.getStatusCode()).isEqualTo(503);
            assertThat(refused.getHeaders()).containsEntry("retry-after", "2");
            assertThat(HttpApi.body(refused).get("type")).isEqualTo(ProblemType.SERVICE_UNAVAILABLE.uri());

            // Step 2: nothing is stranded: stock, holds and the buyer's units are back, the reservation is CANCELLED
            assertThat(fx.stock(sale.id())).isEqualTo("5");
            assertThat(fx.holdCount(sale.id())).isZero();
            assertThat(fx.units(sale.id(), "buyer-1")).isNull();
            ReservationStore store =
                    new ReservationStore(fx.redis, ReservationPolicy.ofDefaults(), dev.flashsale.redis.ReplicaAck.NONE);
            cancelledId = fx.redis
                    .call(c -> c.hkeys(new SaleKeys(sale.id()).reservations()))
                    .iterator()
                    .next();
            Reservation cancelled =
                    store.find(new SaleKeys(sale.id()), cancelledId).orElseThrow();
            assertThat(cancelled.status()).isEqualTo(ReservationStatus.CANCELLED);
        }

        // Step 3: once the queue works, a retry with the same key takes a new hold, under the same reservation id
        APIGatewayV2HTTPResponse retried = fx.reserve(sale.id(), "buyer-1", "retry-me", 2);
        assertThat(retried.getStatusCode()).isEqualTo(201);
        assertThat(HttpApi.body(retried).get("reservationId")).isEqualTo(cancelledId);
        assertThat(fx.stock(sale.id())).isEqualTo("3");
        assertThat(TestQueue.drain(fx.queueUrl)).hasSize(1);
    }

    @Test
    void scriptCacheFlushed_reserveReloadsTheScriptAndSucceeds() {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(5, 5, 5));
        fx.redis.call(c -> c.scriptFlush());

        assertThat(fx.reserve(sale.id(), "b", "after-flush", 1).getStatusCode()).isEqualTo(201);
        assertThat(fx.reserve(sale.id(), "b", "after-reload", 1).getStatusCode())
                .isEqualTo(201);
        assertThat(fx.stock(sale.id())).isEqualTo("3");
    }
}
