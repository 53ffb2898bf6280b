package dev.flashsale.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.json.Json;
import dev.flashsale.reservation.ReservationStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfirmationMessageTest {

    private static final ConfirmationMessage MESSAGE = new ConfirmationMessage(
            "01JD4Z2K8V0000000000000000",
            "sale-42",
            "u-1",
            2,
            Instant.parse("2026-11-22T10:00:00.123Z"),
            Instant.parse("2026-11-22T10:10:00.123456789Z"),
            "key-1");

    private static final String VERSION_1 =
            "{\"version\":1,\"reservationId\":\"01JD4Z2K8V0000000000000000\",\"saleId\":\"sale-42\","
                    + "\"buyerId\":\"u-1\",\"quantity\":2,\"heldAt\":\"2026-11-22T10:00:00.123Z\",\"expiresAt\":\"2026-11-22T10:10:00.123456789Z\"}";

    /** A valid message as a mutable map, to break one field at a time. */
    private static Map<String, Object> valid() {
        return new LinkedHashMap<>(Json.readObject(MESSAGE.toJson()));
    }

    private static String with(String field, Object value) {
        Map<String, Object> m = valid();
        m.put(field, value);
        return Json.write(m);
    }

    private static String version3(Object bucket) {
        Map<String, Object> m = valid();
        m.put("version", 3);
        m.put("bucket", bucket);
        return Json.write(m);
    }

    @Test
    void aMessageOfABucketedSale_isVersionThreeAndNamesItsBucket() {
        ConfirmationMessage m = new ConfirmationMessage(
                MESSAGE.reservationId(),
                MESSAGE.saleId(),
                MESSAGE.buyerId(),
                MESSAGE.quantity(),
                MESSAGE.heldAt(),
                MESSAGE.expiresAt(),
                MESSAGE.idempotencyKey(),
                3);
        assertThat(m.toJson()).startsWith("{\"version\":3,").endsWith(",\"bucket\":3}");
        assertThat(ConfirmationMessage.fromJson(m.toJson())).isEqualTo(m);
        assertThat(m.keys()).isEqualTo(new dev.flashsale.redis.SaleKeys("sale-42", 3));
        assertThat(ConfirmationMessage.fromJson(MESSAGE.toJson()).bucket()).isZero();
    }

    private static String without(String field) {
        Map<String, Object> m = valid();
        m.remove(field);
        return Json.write(m);
    }

    @Test
    void toJson_writesVersionTwoAndEveryFieldInOrder() {
        assertThat(MESSAGE.toJson())
                .isEqualTo("{\"version\":2,\"reservationId\":\"01JD4Z2K8V0000000000000000\",\"saleId\":\"sale-42\","
                        + "\"buyerId\":\"u-1\",\"quantity\":2,\"heldAt\":\"2026-11-22T10:00:00.123Z\","
                        + "\"expiresAt\":\"2026-11-22T10:10:00.123456789Z\",\"idempotencyKey\":\"key-1\"}");
    }

    @Test
    void aVersionTwoMessage_describesTheWholeHold() {
        assertThat(MESSAGE.hold()).hasValueSatisfying(r -> {
            assertThat(r.id()).isEqualTo(MESSAGE.reservationId());
            assertThat(r.buyerId()).isEqualTo("u-1");
            assertThat(r.quantity()).isEqualTo(2);
            assertThat(r.idempotencyKey()).isEqualTo("key-1");
            assertThat(r.status()).isEqualTo(ReservationStatus.HELD);
            assertThat(r.expiresAt()).isEqualTo(MESSAGE.expiresAt());
        });
    }

    @Test
    void aVersionOneMessage_isStillRead_butCannotRestoreItsHold() {
        ConfirmationMessage v1 = ConfirmationMessage.fromJson(VERSION_1);
        assertThat(v1.reservationId()).isEqualTo(MESSAGE.reservationId());
        assertThat(v1.quantity()).isEqualTo(2);
        assertThat(v1.idempotencyKey()).isNull();
        assertThat(v1.hold()).isEmpty();
    }

    @Test
    void aVersionOneMessage_withAKey_isMalformed() {
        Map<String, Object> m = new LinkedHashMap<>(Json.readObject(VERSION_1));
        m.put("idempotencyKey", "k");
        assertThatThrownBy(() -> ConfirmationMessage.fromJson(Json.write(m)))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("idempotencyKey");
    }

    @Test
    void fromJson_readsBackWhatToJsonWrote() {
        assertThat(ConfirmationMessage.fromJson(MESSAGE.toJson())).isEqualTo(MESSAGE);
    }

    @Test
    void fromJson_doesNotDependOnFieldOrder() {
        String shuffled = "{\"expiresAt\":\"2026-11-22T10:10:00.123456789Z\",\"quantity\":2,\"buyerId\":\"u-1\","
                + "\"heldAt\":\"2026-11-22T10:00:00.123Z\",\"saleId\":\"sale-42\",\"reservationId\":\"01JD4Z2K8V0000000000000000\","
                + "\"idempotencyKey\":\"key-1\",\"version\":2}";
        assertThat(ConfirmationMessage.fromJson(shuffled)).isEqualTo(MESSAGE);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                // version
                Arguments.of("unknown version 4", with("version", 4), "version"),
                // bucket (version 3)
                Arguments.of("bucket in a version 2 message", with("bucket", 1), "bucket"),
                Arguments.of("bucket negative", version3(-1), "bucket"),
                Arguments.of("bucket beyond the most", version3(16), "bucket"),
                Arguments.of("bucket as string", version3("1"), "bucket"),
                Arguments.of("version 0", with("version", 0), "version"),
                Arguments.of("version as string", with("version", "1"), "version"),
                Arguments.of("version as decimal", with("version", 1.0), "version"),
                Arguments.of("missing version", without("version"), "version"),
                // shape
                Arguments.of("extra field", with("price", 10), "price"),
                Arguments.of("missing reservationId", without("reservationId"), "reservationId"),
                Arguments.of("missing saleId", without("saleId"), "saleId"),
                Arguments.of("missing buyerId", without("buyerId"), "buyerId"),
                Arguments.of("missing quantity", without("quantity"), "quantity"),
                Arguments.of("missing heldAt", without("heldAt"), "heldAt"),
                Arguments.of("missing expiresAt", without("expiresAt"), "expiresAt"),
                Arguments.of("missing idempotencyKey", without("idempotencyKey"), "idempotencyKey"),
                Arguments.of("idempotencyKey empty", with("idempotencyKey", ""), "idempotencyKey"),
                // types
                Arguments.of("reservationId as number", with("reservationId", 7), "reservationId"),
                Arguments.of("saleId empty", with("saleId", ""), "saleId"),
                Arguments.of("saleId as object", with("saleId", Map.of()), "saleId"),
                Arguments.of("saleId null", MESSAGE.toJson().replace("\"sale-42\"", "null"), "saleId"),
                Arguments.of(
                        "quantity null", MESSAGE.toJson().replace("\"quantity\":2", "\"quantity\":null"), "quantity"),
                Arguments.of("buyerId as boolean", with("buyerId", true), "buyerId"),
                Arguments.of("quantity as string", with("quantity", "2"), "quantity"),
                Arguments.of("quantity as decimal", with("quantity", 2.0), "quantity"),
                Arguments.of("quantity beyond int", with("quantity", 2_147_483_648L), "quantity"),
                Arguments.of("heldAt as number", with("heldAt", 1_700_000_000_000L), "heldAt"),
                // values
                Arguments.of("quantity zero", with("quantity", 0), "quantity"),
                Arguments.of("quantity negative", with("quantity", -1), "quantity"),
                Arguments.of("heldAt not an instant", with("heldAt", "yesterday"), "heldAt"),
                Arguments.of("heldAt without zone", with("heldAt", "2026-11-22T10:00:00"), "heldAt"),
                Arguments.of("expiresAt a date only", with("expiresAt", "2026-11-22"), "expiresAt"),
                Arguments.of("expiresAt impossible", with("expiresAt", "2026-02-30T10:00:00Z"), "expiresAt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void fromJson_refusesMalformedMessagesNamingTheField(String name, String json, String field) {
        assertThatThrownBy(() -> ConfirmationMessage.fromJson(json))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining(field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[]", "{\"version\":1,\"version\":1}"})
    void fromJson_refusesTextThatIsNotOneJsonObject(String json) {
        assertThatThrownBy(() -> ConfirmationMessage.fromJson(json)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void malformedMessageException_carriesNoStackTrace() {
        assertThatThrownBy(() -> ConfirmationMessage.fromJson(with("quantity", 0)))
                .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
    }
}
