package dev.flashsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.admission.TicketCheck;
import dev.flashsale.admission.TicketKey;
import dev.flashsale.admission.Tickets;
import dev.flashsale.config.Config;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.http.HttpResponses;
import dev.flashsale.http.ProblemType;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.Admission;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.Lambda;
import dev.flashsale.testing.RedisSnapshot;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The waiting room's three routes through its invoker, as Lambda runs it, against the real Redis and PostgreSQL. */
class WaitingRoomTest {

    private static final String KEY = "waiting-room-test-key-0123456789";
    private static WaitingRoomInit init;
    private static WaitingRoomInvoker invoker;
    private static RedisConnection redis;
    private static DbConnection db;

    @BeforeAll
    static void start() {
        init = WaitingRoomInit.from(Config.of(TestStack.environment(Map.of("ADMISSION_TICKET_KEY", KEY))));
        init.prime();
        invoker = init.invoker();
        redis = TestRedis.connect();
        db = TestDatabase.connect();
    }

    @AfterAll
    static void stop() {
        redis.close();
        db.close();
    }

    private static APIGatewayV2HTTPEvent join(String saleId, String buyer) {
        return HttpApi.request("POST", "/sales/{saleId}/queue", "/sales/" + saleId + "/queue", buyer)
                .pathParameter("saleId", saleId)
                .build();
    }

    private static APIGatewayV2HTTPEvent place(String saleId, String buyer) {
        return HttpApi.request("GET", "/sales/{saleId}/queue/me", "/sales/" + saleId + "/queue/me", buyer)
                .pathParameter("saleId", saleId)
                .build();
    }

    /** Without a token: the gate is a public route (no JWT authorizer), for a CDN to serve the whole crowd. */
    private static APIGatewayV2HTTPEvent gate(String saleId) {
        return HttpApi.request("GET", "/sales/{saleId}/queue", "/sales/" + saleId + "/queue", null)
                .pathParameter("saleId", saleId)
                .build();
    }

    private static APIGatewayV2HTTPResponse send(APIGatewayV2HTTPEvent e) {
        return invoker.handleRequest(e, Lambda.context());
    }

    @Test
    void aBuyerJoins_waits_andIsAdmittedWithATicketForThemAndThisSale_whileTheGateTellsEveryoneHowFarItGot() {
        // Step 1: a ticketed sale of two units, only in the database: the first join loads it into Redis.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Sale sale = new Sale(
                TestSales.newId(),
                2,
                1,
                1,
                now.minus(Duration.ofMinutes(1)),
                now.plus(Duration.ofHours(1)),
                Admission.TICKETED);
        new SaleRepository(db).create(sale, "Limited sneaker", 100, "USD");

        // Step 2: three buyers join; two units: the first two are admitted at once, the third waits.
        APIGatewayV2HTTPResponse first = send(join(sale.id(), "b1"));
        assertThat(first.getStatusCode()).as(first.getBody()).isEqualTo(201);
        assertThat(HttpApi.body(first)).containsEntry("state", "admitted").containsEntry("position", 1);
        assertThat(send(join(sale.id(), "b2")).getStatusCode()).isEqualTo(201);
        Map<String, Object> third = HttpApi.body(send(join(sale.id(), "b3")));
        assertThat(third)
                .containsEntry("state", "waiting")
                .containsEntry("position", 3)
                .containsEntry("ahead", 0)
                .containsEntry("admittedUpTo", 2)
                .containsKeys("minWaitSeconds", "pollAfterSeconds");

        // Step 3: joining again answers the same place, 200.
        APIGatewayV2HTTPResponse again = send(join(sale.id(), "b1"));
        assertThat(again.getStatusCode()).isEqualTo(200);
        assertThat(HttpApi.body(again)).containsEntry("position", 1);

        // Step 4: the admitted buyer's ticket is signed for them and this sale, and for nobody else.
        APIGatewayV2HTTPResponse mine = send(place(sale.id(), "b1"));
        assertThat(mine.getHeaders()).containsEntry("cache-control", "no-store");
        String ticket = (String) HttpApi.body(mine).get("ticket");
        Tickets tickets = new Tickets(TicketKey.of(KEY));
        assertThat(tickets.check(ticket, sale.id(), "b1", Instant.now()).check())
                .isEqualTo(TicketCheck.VALID);
        assertThat(tickets.check(ticket, sale.id(), "b2", Instant.now()).check())
                .isEqualTo(TicketCheck.INVALID);
        assertThat(HttpApi.body(send(place(sale.id(), "b3")))).doesNotContainKey("ticket");
        assertThat(HttpApi.body(send(place(sale.id(), "stranger")))).containsEntry("state", "not-joined");

        // Step 5: the gate, the same for everyone, cacheable for a second.
        APIGatewayV2HTTPResponse g = send(gate(sale.id()));
        assertThat(g.getStatusCode()).isEqualTo(200);
        assertThat(g.getHeaders()).containsEntry("cache-control", WaitingRoomInvoker.GATE_CACHE_CONTROL);
        assertThat(HttpApi.body(g))
                .containsEntry("state", "admitting")
                .containsEntry("admittedUpTo", 2)
                .containsEntry("joined", 3)
                .containsEntry("available", 2);
    }

    static Stream<Arguments> refused() {
        Instant now = Instant.now();
        Sale open = TestSales.seed(redis, TestSales.live(5, 1, 1));
        Sale later = TestSales.seed(
                redis,
                new Sale(
                        TestSales.newId(),
                        5,
                        1,
                        1,
                        now.plus(Duration.ofDays(1)),
                        now.plus(Duration.ofDays(2)),
                        Admission.TICKETED));
        Sale ticketed = TestSales.seed(redis, TestSales.ticketed(5, 1, 1));
        Consumer<APIGatewayV2HTTPEvent> anonymous = e -> e.getRequestContext().setAuthorizer(null);
        Consumer<APIGatewayV2HTTPEvent> none = e -> {};
        return Stream.of(
                Arguments.of("join: sale id with braces", join("sale{1}", "b"), none, 400, ProblemType.INVALID_SALE_ID),
                Arguments.of("join: no buyer", join(ticketed.id(), "b"), anonymous, 401, ProblemType.UNAUTHENTICATED),
                Arguments.of("join: unknown sale", join(TestSales.newId(), "b"), none, 404, ProblemType.SALE_NOT_FOUND),
                Arguments.of("join: open sale", join(open.id(), "b"), none, 409, ProblemType.SALE_NOT_TICKETED),
                Arguments.of("join: queue not open", join(later.id(), "b"), none, 409, ProblemType.QUEUE_NOT_OPEN),
                Arguments.of("place: no buyer", place(ticketed.id(), "b"), anonymous, 401, ProblemType.UNAUTHENTICATED),
                Arguments.of("place: open sale", place(open.id(), "b"), none, 409, ProblemType.SALE_NOT_TICKETED),
                Arguments.of(
                        "place: sale id too long", place("s".repeat(65), "b"), none, 400, ProblemType.INVALID_SALE_ID),
                Arguments.of("gate: unknown sale", gate(TestSales.newId()), none, 404, ProblemType.SALE_NOT_FOUND),
                Arguments.of("gate: open sale", gate(open.id()), none, 409, ProblemType.SALE_NOT_TICKETED));
    }

    @ParameterizedTest(name = "{0} -> {3} {4}")
    @MethodSource("refused")
    void aBadRequest_getsItsPreciseProblem_andWritesNothing(
            String name,
            APIGatewayV2HTTPEvent event,
            Consumer<APIGatewayV2HTTPEvent> spoil,
            int status,
            ProblemType type) {
        spoil.accept(event);
        String saleId = event.getPathParameters().get("saleId");
        boolean validId = saleId.matches("[A-Za-z0-9_-]{1,64}");
        Map<String, Object> before = validId ? RedisSnapshot.of(redis, saleId, List.of()) : Map.of();

        APIGatewayV2HTTPResponse r = send(event);

        assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(status);
        assertThat(r.getHeaders()).containsEntry("content-type", HttpResponses.PROBLEM_JSON);
        assertThat(HttpApi.body(r)).containsEntry("type", type.uri()).containsEntry("title", type.title());
        if (validId) {
            assertThat(RedisSnapshot.of(redis, saleId, List.of())).isEqualTo(before);
        }
    }

    @Test
    void aBuyerReadingTheirPlaceFasterThanTheyAreTold_getsA429WithRetryAfter() {
        Sale sale = TestSales.seed(redis, TestSales.ticketed(5, 1, 1));
        assertThat(send(join(sale.id(), "eager")).getStatusCode()).isEqualTo(201);
        // the join's answer was one read; the burst allows PLACE_READ_BURST in all, then 2 per second (refilled while
        // the loop runs: a slow machine gets a few more)
        APIGatewayV2HTTPResponse last = null;
        int answered = 1;
        for (int i = 0; i < 40 && (last == null || last.getStatusCode() == 200); i++) {
            last = send(place(sale.id(), "eager"));
            answered += last.getStatusCode() == 200 ? 1 : 0;
        }
        assertThat(answered).isGreaterThanOrEqualTo(dev.flashsale.admission.AdmissionPolicy.PLACE_READ_BURST);
        assertThat(last.getStatusCode()).isEqualTo(429);
        assertThat(last.getHeaders())
                .containsKey("retry-after")
                .containsEntry("content-type", "application/problem+json");
        assertThat(HttpApi.body(last)).containsEntry("type", ProblemType.RATE_LIMITED.uri());
        assertThat(send(place(sale.id(), "someone-else")).getStatusCode())
                .as("another buyer is not slowed down")
                .isEqualTo(200);
        assertThat(send(gate(sale.id())).getStatusCode()).as("nor the gate").isEqualTo(200);
    }
}
