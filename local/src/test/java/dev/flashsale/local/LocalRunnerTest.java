package dev.flashsale.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import dev.flashsale.testing.RepoRoot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runner from the REAL template.yaml, end to end over HTTP, SQS and the schedule. */
class LocalRunnerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @Test
    void reservationsOverHttp_becomeOrdersThroughTheSqsMapping() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalTesting.options(RepoRoot.template(), Map.of()))) {
            Sale sale = LocalTesting.createSale(stack, 5, 2);
            URI reservations = stack.baseUrl().resolve("/sales/" + sale.id() + "/reservations");

            HttpResponse<String> alice = LocalTesting.post(reservations, "dev:alice", "k-alice", "{\"quantity\":2}");
            HttpResponse<String> bob = LocalTesting.post(
                    reservations, null, "k-bob", "{\"quantity\":1}"); // no token: dev mode's X-Buyer-Id is absent
            HttpResponse<String> replay = LocalTesting.post(reservations, "dev:alice", "k-alice", "{\"quantity\":2}");
            HttpResponse<String> tooMany = LocalTesting.post(reservations, "dev:carol", "k-carol", "{\"quantity\":3}");

            assertThat(alice.statusCode()).as(alice.body()).isEqualTo(201);
            JsonNode held = JSON.readTree(alice.body());
            String reservationId = held.path("reservationId").asText();
            assertThat(held.path("remaining").asInt()).isEqualTo(3);
            assertThat(alice.headers().firstValue("location"))
                    .contains("/sales/" + sale.id() + "/reservations/" + reservationId);
            assertThat(bob.statusCode()).isEqualTo(401);
            assertThat(bob.headers().firstValue("content-type")).contains("application/problem+json");
            assertThat(replay.statusCode()).isEqualTo(200);
            assertThat(replay.headers().firstValue("idempotent-replayed")).contains("true");
            assertThat(tooMany.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(tooMany.body()).path("type").asText())
                    .isEqualTo("urn:flashsale:problem:invalid-quantity");

            // the ConfirmFunction, fed by the poller of the template's SQS mapping, writes the order
            assertThat(LocalTesting.eventually(Duration.ofSeconds(30), () -> orders(stack, sale.id()) == 1))
                    .isTrue();
            assertThat(soldInDatabase(stack, sale.id())).isEqualTo(2);

            // the query route sees it confirmed, for its owner only
            URI status = stack.baseUrl().resolve("/sales/" + sale.id() + "/reservations/" + reservationId);
            assertThat(LocalTesting.eventually(
                            Duration.ofSeconds(10),
                            () -> body(status, "dev:alice").contains("\"CONFIRMED\"")))
                    .isTrue();
            assertThat(LocalTesting.get(status, "dev:mallory").statusCode()).isEqualTo(404);

            // API Gateway's answers for what never reaches a function
            HttpResponse<String> unknown = LocalTesting.get(stack.baseUrl().resolve("/nowhere"), "dev:alice");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.headers().firstValue("content-type")).contains("application/problem+json");
            assertThat(unknown.body()).contains("POST /sales/{saleId}/reservations");
            assertThat(LocalTesting.get(status, "garbage").statusCode()).isEqualTo(401);
            assertThat(LocalTesting.post(status, "dev:alice", "k", "{}").statusCode())
                    .isEqualTo(404); // no POST on that path
        }
    }

    @Test
    void anUnconfirmedHoldMadeOverHttp_isReleasedByTheScheduledReleaseFunction() throws Exception {
        // The confirmer cannot reach Redis here, so the hold stays HELD until HOLD_TTL; the template's schedule (made
        // fast locally) then runs the ReleaseFunction, which returns the unit to stock.
        Map<String, String> env = Map.of("HOLD_TTL", "1s", "ConfirmFunction.REDIS_URL", "redis://127.0.0.1:1");
        try (LocalStack stack = LocalStack.start(
                LocalTesting.options(RepoRoot.template(), env).withScheduleEvery(Duration.ofMillis(500)))) {
            Sale sale = LocalTesting.createSale(stack, 3, 1);
            URI reservations = stack.baseUrl().resolve("/sales/" + sale.id() + "/reservations");

            HttpResponse<String> held = LocalTesting.post(reservations, "dev:dave", "k-dave", "{\"quantity\":1}");
            assertThat(held.statusCode()).as(held.body()).isEqualTo(201);
            String id = JSON.readTree(held.body()).path("reservationId").asText();
            assertThat(JSON.readTree(held.body()).path("remaining").asInt()).isEqualTo(2);
            URI status = stack.baseUrl().resolve("/sales/" + sale.id() + "/reservations/" + id);

            assertThat(LocalTesting.eventually(
                            Duration.ofSeconds(20),
                            () -> body(status, "dev:dave").contains("\"EXPIRED\"")))
                    .isTrue();
            // the unit is back: a new buyer can take all three
            HttpResponse<String> all = LocalTesting.post(reservations, "dev:erin", "k-erin", "{\"quantity\":1}");
            assertThat(JSON.readTree(all.body()).path("remaining").asInt()).isEqualTo(2);
            assertThat(orders(stack, sale.id())).isZero();
            assertThat(stack.environment("ReserveFunction"))
                    .containsEntry("HOLD_TTL", "1s")
                    .containsEntry("DEV_MODE", "true");
            assertThat(stack.environment("ConfirmFunction")).containsEntry("REDIS_URL", "redis://127.0.0.1:1");
            assertThat(stack.environment("ReleaseFunction").get("REDIS_URL"))
                    .isEqualTo(stack.services().redisUrl());
        }
    }

    @Test
    void aTicketedSale_admitsThroughItsQueue_andReservesOnlyWithTheTicketTheWaitingRoomSigned() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalTesting.options(RepoRoot.template(), Map.of()))) {
            Sale sale = LocalTesting.createTicketedSale(stack, 1, 1);
            URI queue = stack.baseUrl().resolve("/sales/" + sale.id() + "/queue");
            URI reservations = stack.baseUrl().resolve("/sales/" + sale.id() + "/reservations");

            // One unit: alice is admitted at once with a ticket, bob waits.
            HttpResponse<String> alice = LocalTesting.post(queue, "dev:alice", null, "");
            HttpResponse<String> bob = LocalTesting.post(queue, "dev:bob", null, "");
            assertThat(alice.statusCode()).as(alice.body()).isEqualTo(201);
            JsonNode admitted = JSON.readTree(alice.body());
            assertThat(admitted.path("state").asText()).isEqualTo("admitted");
            assertThat(JSON.readTree(bob.body()).path("state").asText()).isEqualTo("waiting");
            String ticket = admitted.path("ticket").asText();

            // The ReserveFunction verifies what the WaitingRoomFunction signed: one key for the whole local stack.
            assertThat(problemType(reserve(reservations, "dev:bob", "k-bob", null)))
                    .isEqualTo("urn:flashsale:problem:admission-required");
            assertThat(problemType(reserve(reservations, "dev:bob", "k-bob", ticket)))
                    .isEqualTo("urn:flashsale:problem:ticket-invalid");
            HttpResponse<String> held = reserve(reservations, "dev:alice", "k-alice", ticket);
            assertThat(held.statusCode()).as(held.body()).isEqualTo(201);

            // Sold out: bob's place says so, and the gate too.
            assertThat(JSON.readTree(LocalTesting.get(
                                            stack.baseUrl().resolve("/sales/" + sale.id() + "/queue/me"), "dev:bob")
                                    .body())
                            .path("state")
                            .asText())
                    .isEqualTo("sold-out");
            HttpResponse<String> gate = LocalTesting.get(queue, "dev:carol");
            assertThat(gate.headers().firstValue("cache-control")).contains("public, max-age=1");
            assertThat(JSON.readTree(gate.body()).path("state").asText()).isEqualTo("sold-out");
        }
    }

    private static HttpResponse<String> reserve(URI url, String token, String key, String ticket) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .header("Idempotency-Key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"quantity\":1}"));
        if (ticket != null) {
            b.header("Admission-Ticket", ticket);
        }
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static String problemType(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        return JSON.readTree(r.body()).path("type").asText();
    }

    @Test
    void aSaleWithAPaymentWindow_paidThroughTheSignedWebhook_andCancelledByItsBuyer() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalTesting.options(RepoRoot.template(), Map.of()))) {
            Instant now = Instant.now();
            Sale sale =
                    new Sale(LocalTesting.newSaleId(), 5, 2, 2, now.minusSeconds(60), now.plus(Duration.ofHours(1)));
            try (DbConnection db = DbConnection.create(stack.services().db());
                    RedisConnection redis =
                            RedisConnection.create(stack.services().redis())) {
                new SaleRepository(db).create(sale, "", 1999, "USD", Duration.ofMinutes(10));
                new SaleCache(redis, Duration.ofDays(1)).load(sale);
            }
            URI reservations = stack.baseUrl().resolve("/sales/" + sale.id() + "/reservations");
            String payer = reservationId(LocalTesting.post(reservations, "dev:paula", "k-paula", "{\"quantity\":2}"));
            String canceller = reservationId(LocalTesting.post(reservations, "dev:carl", "k-carl", "{\"quantity\":1}"));
            assertThat(LocalTesting.eventually(Duration.ofSeconds(30), () -> orders(stack, sale.id()) == 2))
                    .isTrue();

            // the provider's webhook, signed with the local secret (docs/local.md), on the public route
            String event = "{\"eventId\":\"evt_local-" + payer + "\",\"reservationId\":\"" + payer
                    + "\",\"amountCents\":3998,\"currency\":\"USD\"}";
            String signature = new WebhookSignature(
                            LocalStack.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(5))
                    .sign(event, Instant.now());
            HttpResponse<String> paid = CLIENT.send(
                    java.net.http.HttpRequest.newBuilder(stack.baseUrl().resolve("/payments/events"))
                            .header("Content-Type", "application/json")
                            .header("Flashsale-Signature", signature)
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(event))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
            assertThat(JSON.readTree(paid.body()).path("outcome").asText()).isEqualTo("PAID");
            assertThat(body(reservations.resolve("reservations/" + payer), "dev:paula"))
                    .contains("\"PAID\"");

            // the buyer cancels their unpaid order: the unit is back on sale
            HttpResponse<String> cancelled = CLIENT.send(
                    java.net.http.HttpRequest.newBuilder(reservations.resolve("reservations/" + canceller))
                            .header("Authorization", "Bearer dev:carl")
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
            assertThat(JSON.readTree(cancelled.body()).path("status").asText()).isEqualTo("CANCELLED");
            assertThat(soldInDatabase(stack, sale.id())).isEqualTo(2);
            assertThat(stack.environment("PaymentFunction"))
                    .containsEntry("PAYMENT_WEBHOOK_SECRET", LocalStack.WEBHOOK_SECRET);
        }
    }

    private static String reservationId(HttpResponse<String> held) throws Exception {
        assertThat(held.statusCode()).as(held.body()).isEqualTo(201);
        return JSON.readTree(held.body()).path("reservationId").asText();
    }

    private static String body(URI url, String token) {
        try {
            return LocalTesting.get(url, token).body();
        } catch (Exception e) {
            return "";
        }
    }

    static long orders(LocalStack stack, String saleId) {
        return single(stack, "SELECT count(*) FROM orders WHERE sale_id = ?", saleId);
    }

    static long soldInDatabase(LocalStack stack, String saleId) {
        return single(stack, "SELECT sold FROM sales WHERE id = ?", saleId);
    }

    private static long single(LocalStack stack, String sql, String saleId) {
        try (Connection c = LocalTesting.jdbc(stack);
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, saleId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
