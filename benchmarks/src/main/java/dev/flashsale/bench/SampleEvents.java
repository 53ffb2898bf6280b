package dev.flashsale.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.reservation.Reservation;

/**
 * Invocation events made from the sample events in {@code events/}, with their ids changed to the benchmark's seeded
 * sale and, where an invocation must do real work each time, fresh buyers, idempotency keys and holds.
 */
final class SampleEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleEvents() {
    }

    private static ObjectNode sample(BenchData data, String file) throws IOException {
        return (ObjectNode) JSON.readTree(data.samples.resolve(file).toFile());
    }

    /** New holds: a fresh buyer and Idempotency-Key each time, so every invocation takes the 201 path. */
    static List<String> reserve(BenchData data, int count) throws IOException {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode e = sample(data, "apigw/reserve.json");
            String path = "/sales/" + data.sale.id() + "/reservations";
            e.put("rawPath", path);
            ((ObjectNode) e.get("pathParameters")).put("saleId", data.sale.id());
            ((ObjectNode) e.get("headers")).put("idempotency-key", UUID.randomUUID().toString());
            ObjectNode ctx = (ObjectNode) e.get("requestContext");
            ((ObjectNode) ctx.get("http")).put("path", path);
            ctx.put("requestId", "bench-" + UUID.randomUUID());
            ((ObjectNode) ctx.get("authorizer").get("jwt").get("claims")).put("sub", "bench-buyer-" + UUID.randomUUID());
            events.add(JSON.writeValueAsString(e));
        }
        return events;
    }

    /** The same buyer reading one seeded reservation of theirs (200) each time. */
    static List<String> reservationStatus(BenchData data, int count) throws IOException {
        ObjectNode e = sample(data, "apigw/reservation-status.json");
        String buyer = e.get("requestContext").get("authorizer").get("jwt").get("claims").get("sub").asText();
        Reservation r = data.standingHold(buyer);
        String path = "/sales/" + data.sale.id() + "/reservations/" + r.id();
        e.put("rawPath", path);
        ((ObjectNode) e.get("pathParameters")).put("saleId", data.sale.id()).put("reservationId", r.id());
        ((ObjectNode) e.get("requestContext").get("http")).put("path", path);
        String json = JSON.writeValueAsString(e);
        return java.util.Collections.nCopies(count, json);
    }

    /** Batches shaped like the sample, each record a fresh hold: every invocation claims, orders and settles. */
    static List<String> confirmBatch(BenchData data, int count) throws IOException {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode e = sample(data, "sqs/confirm-batch.json");
            for (JsonNode node : e.get("Records")) {
                ObjectNode record = (ObjectNode) node;
                Reservation r = data.hold("bench-buyer-" + UUID.randomUUID(), record.get("body").asText().contains("\"quantity\":2") ? 2 : 1);
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
        return java.util.Collections.nCopies(count, JSON.writeValueAsString(sample(data, "eventbridge/release-schedule.json")));
    }

    /** A buyer reading the seeded sale's public status (200) each time. */
    static List<String> saleStatus(BenchData data, int count) throws IOException {
        ObjectNode e = sample(data, "apigw/sale-status.json");
        String path = "/sales/" + data.sale.id();
        e.put("rawPath", path);
        ((ObjectNode) e.get("pathParameters")).put("saleId", data.sale.id());
        ((ObjectNode) e.get("requestContext").get("http")).put("path", path);
        return java.util.Collections.nCopies(count, JSON.writeValueAsString(e));
    }

    /** An operator (IAM identity, as in the sample) reading the seeded sale: {@code GET /admin/sales/{saleId}} (200). */
    static List<String> adminGetSale(BenchData data, int count) throws IOException {
        ObjectNode e = sample(data, "apigw/admin-create-sale.json");
        String path = "/admin/sales/" + data.sale.id();
        e.put("routeKey", "GET /admin/sales/{saleId}");
        e.put("rawPath", path);
        e.remove("body");
        e.put("isBase64Encoded", false);
        e.putObject("pathParameters").put("saleId", data.sale.id());
        ObjectNode ctx = (ObjectNode) e.get("requestContext");
        ctx.put("routeKey", "GET /admin/sales/{saleId}");
        ((ObjectNode) ctx.get("http")).put("method", "GET").put("path", path);
        return java.util.Collections.nCopies(count, JSON.writeValueAsString(e));
    }

    /** The prewarm schedule's event as it is (the job finds its sales in the database, under its lease). */
    static List<String> prewarmSchedule(BenchData data, int count) throws IOException {
        return java.util.Collections.nCopies(count, JSON.writeValueAsString(sample(data, "eventbridge/prewarm-schedule.json")));
    }
}
