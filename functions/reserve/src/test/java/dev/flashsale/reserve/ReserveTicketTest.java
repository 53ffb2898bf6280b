package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.admission.Ticket;
import dev.flashsale.admission.TicketKey;
import dev.flashsale.admission.Tickets;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemType;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.RedisSnapshot;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestSales;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A ticketed sale reserves only with a valid ticket for itself and the buyer, checked without a database call; every
 * other ticket gets its precise 403 and changes nothing (the sale's keys, the queue's, the buyer's rate bucket). An
 * open sale ignores tickets.
 */
class ReserveTicketTest {

    private static final String KEY = "reserve-ticket-test-key-0123456789";
    private static final Tickets TICKETS = new Tickets(TicketKey.of(KEY));
    private static final String BUYER = "buyer-ticket";
    private static ReserveFixture fx;
    private static Sale sale;
    private static Sale otherSale;

    @BeforeAll
    static void start() {
        fx = ReserveFixture.create(Map.of("ADMISSION_TICKET_KEY", KEY));
        sale = TestSales.seed(fx.redis, TestSales.ticketed(10, 2, 2));
        otherSale = TestSales.seed(fx.redis, TestSales.ticketed(10, 2, 2));
        // one real reservation, so that the snapshot has holds, units and an idempotency entry to protect
        APIGatewayV2HTTPResponse first = fx.invoke(withTicket(
                HttpApi.reserve(sale.id(), "buyer-first", "existing", "{\"quantity\":1}"),
                ticket(sale.id(), "buyer-first", Duration.ofMinutes(1))));
        assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(201);
        TestQueue.drain(fx.queueUrl);
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    private static String ticket(String saleId, String buyerId, Duration life) {
        return TICKETS.issue(new Ticket(saleId, buyerId, 1, Instant.now().plus(life)));
    }

    private static APIGatewayV2HTTPEvent withTicket(APIGatewayV2HTTPEvent e, String ticket) {
        e.getHeaders().put(ReserveRequestReader.TICKET_HEADER, ticket);
        return e;
    }

    static Stream<Arguments> refusedTickets() {
        Tickets forger = new Tickets(TicketKey.generate(new SecureRandom()));
        return Stream.of(
                refused("no ticket", id -> null, ProblemType.ADMISSION_REQUIRED),
                refused("empty ticket", id -> "", ProblemType.ADMISSION_REQUIRED),
                refused("expired", id -> ticket(id, BUYER, Duration.ofSeconds(-1)), ProblemType.TICKET_EXPIRED),
                refused(
                        "forged (another key)",
                        id -> forger.issue(
                                new Ticket(id, BUYER, 1, Instant.now().plusSeconds(60))),
                        ProblemType.TICKET_INVALID),
                refused(
                        "another buyer's",
                        id -> ticket(id, "buyer-first", Duration.ofMinutes(1)),
                        ProblemType.TICKET_INVALID),
                refused(
                        "another sale's",
                        id -> ticket(otherSale.id(), BUYER, Duration.ofMinutes(1)),
                        ProblemType.TICKET_INVALID),
                refused(
                        "altered",
                        id -> ticket(id, BUYER, Duration.ofMinutes(1)).replace("v1.", "v1.A"),
                        ProblemType.TICKET_INVALID),
                refused("garbage", id -> "not-a-ticket", ProblemType.TICKET_INVALID));
    }

    private static Arguments refused(String name, Function<String, String> ticketFor, ProblemType type) {
        return Arguments.of(name, ticketFor, type);
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refusedTickets")
    void aTicketedSale_refusesWithoutAValidTicket_withItsPreciseType_andChangesNothing(
            String name, Function<String, String> ticketFor, ProblemType type) {
        APIGatewayV2HTTPEvent event =
                HttpApi.reserve(sale.id(), BUYER, "fresh-key-" + name.hashCode(), "{\"quantity\":1}");
        String ticket = ticketFor.apply(sale.id());
        if (ticket != null) {
            withTicket(event, ticket);
        }
        List<String> extra = List.of(new SaleKeys(sale.id()).rateBucket(BUYER));
        Map<String, Object> before = RedisSnapshot.of(fx.redis, sale.id(), extra);

        APIGatewayV2HTTPResponse response = fx.invoke(event);

        assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(403);
        assertThat(response.getHeaders()).containsEntry("content-type", HttpResponses.PROBLEM_JSON);
        assertThat(HttpApi.body(response))
                .containsEntry("type", type.uri())
                .containsEntry("status", 403)
                .containsEntry("title", type.title())
                .containsEntry("saleId", sale.id());
        assertThat(RedisSnapshot.of(fx.redis, sale.id(), extra)).isEqualTo(before);
        assertThat(TestQueue.drain(fx.queueUrl)).isEmpty();
    }

    @Test
    void aValidTicket_reserves_decidesTheAdmittedBuyer_andThePerBuyerLimitStillHolds() {
        String buyer = "buyer-valid";
        SaleKeys k = new SaleKeys(sale.id());
        fx.redis.call(c -> c.zadd(k.admits(), System.currentTimeMillis() + 60_000, buyer));
        String ticket = ticket(sale.id(), buyer, Duration.ofMinutes(1));

        APIGatewayV2HTTPResponse held =
                fx.invoke(withTicket(HttpApi.reserve(sale.id(), buyer, "k1", "{\"quantity\":2}"), ticket));
        assertThat(held.getStatusCode()).as(held.getBody()).isEqualTo(201);
        // The hold now counts against stock; the buyer no longer counts as admitted-but-undecided.
        assertThat(fx.redis.<Double>call(c -> c.zscore(k.admits(), buyer))).isNull();
        assertThat(TestQueue.drain(fx.queueUrl)).hasSize(1);

        APIGatewayV2HTTPResponse more =
                fx.invoke(withTicket(HttpApi.reserve(sale.id(), buyer, "k2", "{\"quantity\":1}"), ticket));
        assertThat(more.getStatusCode()).isEqualTo(409);
        assertThat(HttpApi.body(more)).containsEntry("type", ProblemType.PURCHASE_LIMIT_EXCEEDED.uri());
        assertThat(fx.units(sale.id(), buyer)).isEqualTo("2");
    }

    @Test
    void aReplayedKey_getsItsReservation_evenOnceTheTicketHasExpired() {
        String buyer = "buyer-replay";
        APIGatewayV2HTTPResponse held = fx.invoke(withTicket(
                HttpApi.reserve(sale.id(), buyer, "k1", "{\"quantity\":1}"),
                ticket(sale.id(), buyer, Duration.ofMinutes(1))));
        assertThat(held.getStatusCode()).isEqualTo(201);

        APIGatewayV2HTTPResponse replay = fx.invoke(withTicket(
                HttpApi.reserve(sale.id(), buyer, "k1", "{\"quantity\":1}"),
                ticket(sale.id(), buyer, Duration.ofSeconds(-1))));

        assertThat(replay.getStatusCode()).isEqualTo(200);
        assertThat(HttpApi.body(replay).get("reservationId"))
                .isEqualTo(HttpApi.body(held).get("reservationId"));
        TestQueue.drain(fx.queueUrl);
    }

    @Test
    void anOpenSale_ignoresTickets_evenForgedOnes() {
        Sale open = TestSales.seed(fx.redis, TestSales.live(5, 2, 2));

        APIGatewayV2HTTPResponse without = fx.invoke(HttpApi.reserve(open.id(), BUYER, "k1", "{\"quantity\":1}"));
        APIGatewayV2HTTPResponse garbage =
                fx.invoke(withTicket(HttpApi.reserve(open.id(), BUYER, "k2", "{\"quantity\":1}"), "not-a-ticket"));

        assertThat(without.getStatusCode()).isEqualTo(201);
        assertThat(garbage.getStatusCode()).isEqualTo(201);
        assertThat(fx.stock(open.id())).isEqualTo("3");
        TestQueue.drain(fx.queueUrl);
    }
}
