package dev.flashsale.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import dev.flashsale.admission.TicketKey;
import dev.flashsale.admission.Tickets;
import dev.flashsale.db.PaymentEvent;
import dev.flashsale.http.HttpRequest;
import dev.flashsale.http.ProblemType;
import dev.flashsale.orders.PaymentEnvironment;
import dev.flashsale.orders.PaymentInvoker;
import dev.flashsale.orders.WebhookRequestReader;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.reservation.ReserveRequest;
import dev.flashsale.reserve.ReserveRequestReader;
import dev.flashsale.testing.RepoRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample events in events/ (also for {@code sam local invoke -e} and the README) are what the code reads.
 *
 * <p>Loaded with aws-lambda-java-tests' {@link EventLoader}, i.e. through aws-lambda-java-serialization, the same
 * deserializer the Lambda Java runtime applies to these event classes. That also proves the shared layer's runtime
 * classpath carries what that deserializer needs (it loads org.joda.time.DateTime for every event type).
 */
class SampleEventsTest {

    private static final String BUYER = "7f3e9c2a-1b4d-4e8f-9a6c-2d5b8e1f0c3a";
    private static final String KEY = "6f1c2b9e-8d4a-4f3b-9c7e-1a2b3c4d5e6f";

    private static Path events;

    @BeforeAll
    static void locate() {
        events = RepoRoot.find().resolve("events/apigw");
    }

    private static APIGatewayV2HTTPEvent load(String name) {
        return EventLoader.loadApiGatewayHttpEvent(events.resolve(name).toString());
    }

    @Test
    void reserveEvent_readsAsTheJwtBuyersRequestForTwoUnits() {
        ReserveRequest request = new ReserveRequestReader(
                        false, 1024, new Tickets(TicketKey.of("reader-test-key-0123456789")), Clock.systemUTC())
                .read(new HttpRequest(load("reserve.json")));

        assertThat(request).isEqualTo(new ReserveRequest("sale-42", BUYER, KEY, 2));
    }

    @Test
    void base64Event_readsAsTheSameRequest() {
        APIGatewayV2HTTPEvent event = load("reserve-base64.json");
        assertThat(event.getIsBase64Encoded()).isTrue();

        ReserveRequest request = new ReserveRequestReader(
                        false, 1024, new Tickets(TicketKey.of("reader-test-key-0123456789")), Clock.systemUTC())
                .read(new HttpRequest(event));

        assertThat(request).isEqualTo(new ReserveRequest("sale-42", BUYER, KEY, 2));
    }

    @Test
    void reservationStatusEvent_carriesBothIdsAndTheBuyer() {
        APIGatewayV2HTTPEvent event = load("reservation-status.json");
        HttpRequest http = new HttpRequest(event);

        assertThat(http.method()).isEqualTo("GET");
        assertThat(event.getRouteKey()).isEqualTo("GET /sales/{saleId}/reservations/{reservationId}");
        assertThat(http.idParameter("saleId", ProblemType.INVALID_SALE_ID)).isEqualTo("sale-42");
        assertThat(http.idParameter("reservationId", ProblemType.INVALID_RESERVATION_ID))
                .isEqualTo("01JD0000000000000000000000");
        assertThat(http.buyerId(false)).isEqualTo(BUYER);
    }

    @Test
    void waitingRoomEvents_nameTheirRouteTheSaleAndTheBuyer() {
        for (String file : new String[] {"join-queue.json", "queue-place.json"}) {
            APIGatewayV2HTTPEvent event = load(file);
            HttpRequest http = new HttpRequest(event);

            assertThat(List.of(dev.flashsale.waitingroom.WaitingRoomInvoker.ROUTES))
                    .contains(event.getRouteKey());
            assertThat(http.idParameter("saleId", ProblemType.INVALID_SALE_ID)).isEqualTo("sale-42");
            assertThat(http.buyerId(false)).isEqualTo(BUYER);
        }
    }

    @Test
    void cancelOrderEvent_namesThePaymentRouteBothIdsAndTheBuyer() {
        APIGatewayV2HTTPEvent event = load("cancel-order.json");
        HttpRequest http = new HttpRequest(event);

        assertThat(http.method()).isEqualTo("DELETE");
        assertThat(List.of(PaymentInvoker.ROUTES)).contains(event.getRouteKey());
        assertThat(http.idParameter("saleId", ProblemType.INVALID_SALE_ID)).isEqualTo("sale-42");
        assertThat(http.idParameter("reservationId", ProblemType.INVALID_RESERVATION_ID))
                .isEqualTo("01JD0000000000000000000000");
        assertThat(http.buyerId(false)).isEqualTo(BUYER);
    }

    /** Signed with the documented dev secret at its own timestamp: what a local client sends (docs/local.md). */
    @Test
    void paymentEvent_isAPublicRequest_signedWithTheDevSecret() {
        APIGatewayV2HTTPEvent event = load("payment-event.json");
        assertThat(List.of(PaymentInvoker.PUBLIC_ROUTES)).contains(event.getRouteKey());
        assertThat(event.getRequestContext().getAuthorizer()).isNull();
        Instant signedAt = Instant.ofEpochSecond(1795768861);
        WebhookRequestReader reader = new WebhookRequestReader(
                new WebhookSignature(
                        PaymentEnvironment.DEV_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5)),
                Clock.fixed(signedAt, ZoneOffset.UTC));

        assertThat(reader.read(new HttpRequest(event)))
                .isEqualTo(new PaymentEvent("evt_3PqR7sT9uV1wX2yZ", "01JD0000000000000000000000", 3998, "USD"));
    }
}
