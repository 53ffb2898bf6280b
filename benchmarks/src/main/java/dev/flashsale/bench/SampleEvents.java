package dev.flashsale.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flashsale.http.ApiGatewayEvent;
import dev.flashsale.payment.WebhookSignature;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.reservation.Reservation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Invocation events made from the sample events in {@code events/}, with their ids changed to the benchmark's seeded
 * sale and, where an invocation must do real work each time, fresh buyers, idempotency keys and holds. API Gateway
 * events are changed with the shared {@link ApiGatewayEvent} builder and written as JSON by the Lambda runtime's own
 * serializer (the one the child JVMs read them with).
 */
final class SampleEvents {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PojoSerializer<APIGatewayV2HTTPEvent> API =
            LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, SampleEvents.class.getClassLoader());

    private SampleEvents() {}

    private static ObjectNode sample(BenchData data, String file) throws IOException {
        return (ObjectNode) JSON.readTree(data.samples.resolve(file).toFile());
    }

    /** A recorded API Gateway event from {@code events/}, as the runtime reads it, to change with the builder. */
    private static ApiGatewayEvent apiSample(BenchData data, String file) throws IOException {
        try (InputStream in = Files.newInputStream(data.samples.resolve(file))) {
            return ApiGatewayEvent.from(API.fromJson(in));
        }
    }

    private static String json(ApiGatewayEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        API.toJson(event.build(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The sample's JWT claims with another {@code sub}. */
    private static Map<String, String> claimsOf(APIGatewayV2HTTPEvent sample, String sub) {
        Map<String, String> claims = new LinkedHashMap<>(
                sample.getRequestContext().getAuthorizer().getJwt().getClaims());
        claims.put("sub", sub);
        return claims;
    }

    /** New holds: a fresh buyer and Idempotency-Key each time, so every invocation takes the 201 path. */
    static List<String> reserve(BenchData data, int count) throws IOException {
        return freshBuyers(
                data,
                "apigw/reserve.json",
                "/reservations",
                data.sale.id(),
                count,
                e -> e.header("idempotency-key", UUID.randomUUID().toString()));
    }

    /** A new buyer joining the ticketed sale's waiting room each time: every invocation takes the 201 path. */
    static List<String> joinQueue(BenchData data, int count) throws IOException {
        return freshBuyers(data, "apigw/join-queue.json", "/queue", data.ticketedSale.id(), count, e -> e);
    }

    /** {@code count} POSTs to {@code /sales/<saleId><suffix>} shaped like the sample, each by a new JWT buyer. */
    private static List<String> freshBuyers(
            BenchData data,
            String sample,
            String suffix,
            String saleId,
            int count,
            java.util.function.UnaryOperator<ApiGatewayEvent> more)
            throws IOException {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ApiGatewayEvent e = apiSample(data, sample);
            APIGatewayV2HTTPEvent built = e.build();
            events.add(json(more.apply(e.requestLine("POST", "/sales/" + saleId + suffix)
                    .pathParameter("saleId", saleId)
                    .requestId("bench-" + UUID.randomUUID())
                    .jwtClaims(claimsOf(built, "bench-buyer-" + UUID.randomUUID())))));
        }
        return events;
    }

    /** The same buyer reading one seeded reservation of theirs (200) each time. */
    static List<String> reservationStatus(BenchData data, int count) throws IOException {
        ApiGatewayEvent e = apiSample(data, "apigw/reservation-status.json");
        String buyer = e.build()
                .getRequestContext()
                .getAuthorizer()
                .getJwt()
                .getClaims()
                .get("sub");
        Reservation r = data.standingHold(buyer);
        String json = json(e.requestLine("GET", "/sales/" + data.sale.id() + "/reservations/" + r.id())
                .pathParameter("saleId", data.sale.id())
                .pathParameter("reservationId", r.id()));
        return java.util.Collections.nCopies(count, json);
    }

    /** Batches shaped like the sample, each record a fresh hold: every invocation claims, orders and settles. */
    static List<String> confirmBatch(BenchData data, int count) throws IOException {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode e = sample(data, "sqs/confirm-batch.json");
            for (JsonNode node : e.get("Records")) {
                ObjectNode record = (ObjectNode) node;
                Reservation r = data.hold(
                        "bench-buyer-" + UUID.randomUUID(),
                        record.get("body").asText().contains("\"quantity\":2") ? 2 : 1);
                record.put("messageId", UUID.randomUUID().toString());
                record.put("body", ConfirmationMessage.of(r).toJson());
                ((ObjectNode) record.get("messageAttributes").get("saleId")).put("stringValue", data.sale.id());
            }
            events.add(JSON.writeValueAsString(e));
        }
        return events;
    }

    /** The scheduled event as it is (the job finds its sales in the database). */
    static List<String> releaseSchedule(BenchData data, int count) throws IOException {
        return java.util.Collections.nCopies(
                count, JSON.writeValueAsString(sample(data, "eventbridge/release-schedule.json")));
    }

    /** The payment provider's webhook, signed, each paying a fresh order waiting for payment (200 PAID). */
    static List<String> payOrder(BenchData data, int count) throws IOException {
        WebhookSignature signer = new WebhookSignature(
                BenchData.WEBHOOK_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.time.Duration.ofMinutes(5));
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Reservation r = data.pendingOrder("bench-buyer-" + UUID.randomUUID());
            String body = "{\"eventId\":\"bench-" + UUID.randomUUID() + "\",\"reservationId\":\"" + r.id()
                    + "\",\"amountCents\":" + 2 * 1999 + ",\"currency\":\"USD\"}";
            events.add(json(apiSample(data, "apigw/payment-event.json")
                    .requestId("bench-" + UUID.randomUUID())
                    .header("content-length", Integer.toString(body.length()))
                    .header(WebhookSignature.HEADER, signer.sign(body, java.time.Instant.now()))
                    .body(body)));
        }
        return events;
    }

    /** A buyer reading the seeded sale's public status (200) each time. */
    static List<String> saleStatus(BenchData data, int count) throws IOException {
        String json = json(apiSample(data, "apigw/sale-status.json")
                .requestLine("GET", "/sales/" + data.sale.id())
                .pathParameter("saleId", data.sale.id()));
        return java.util.Collections.nCopies(count, json);
    }

    /** An operator (IAM identity, as in the sample) reading the seeded sale: {@code GET /admin/sales/{saleId}} (200). */
    static List<String> adminGetSale(BenchData data, int count) throws IOException {
        String json = json(apiSample(data, "apigw/admin-create-sale.json")
                .requestLine("GET", "/admin/sales/" + data.sale.id())
                .route("/admin/sales/{saleId}")
                .pathParameter("saleId", data.sale.id())
                .body(null));
        return java.util.Collections.nCopies(count, json);
    }

    /** The prewarm schedule's event as it is (the job finds its sales in the database, under its lease). */
    static List<String> prewarmSchedule(BenchData data, int count) throws IOException {
        return java.util.Collections.nCopies(
                count, JSON.writeValueAsString(sample(data, "eventbridge/prewarm-schedule.json")));
    }
}
