package dev.flashsale.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TicketsTest {

    private static final Instant NOW = Instant.parse("2026-11-27T09:00:00Z");
    private static final Tickets TICKETS = new Tickets(TicketKey.of("test-key-0123456789-abcdefghij"));
    private static final Ticket TICKET = new Ticket("sale-1", "buyer-1", 7, NOW.plusSeconds(30));

    @Test
    void aTicket_verifiesForItsSaleAndBuyer_untilItExpires_andSaysWhatItWasIssuedWith() {
        String token = TICKETS.issue(TICKET);

        assertThat(token).startsWith("v1.");
        assertThat(TICKETS.check(token, "sale-1", "buyer-1", NOW).check()).isEqualTo(TicketCheck.VALID);
        assertThat(TICKETS.check(token, "sale-1", "buyer-1", NOW.plusMillis(29_999))
                        .check())
                .isEqualTo(TicketCheck.VALID);
        assertThat(TICKETS.check(token, "sale-1", "buyer-1", NOW.plusSeconds(30))
                        .check())
                .isEqualTo(TicketCheck.EXPIRED);
        assertThat(TICKETS.read(token)).contains(TICKET);
        assertThat(TICKETS.check(token, "sale-1", "buyer-1", NOW).expiresAt()).isEqualTo(TICKET.expiresAt());
    }

    @Test
    void aBuyerIdWithAnyCharacters_roundTrips() {
        Ticket odd = new Ticket("sale-1", "auth0|a.b\nc ü", 1, NOW.plusSeconds(5));
        assertThat(TICKETS.check(TICKETS.issue(odd), "sale-1", "auth0|a.b\nc ü", NOW)
                        .check())
                .isEqualTo(TicketCheck.VALID);
    }

    static Stream<Arguments> refusedTickets() {
        String good = TICKETS.issue(TICKET);
        String payload = good.split("\\.")[1];
        String signature = good.split("\\.")[2];
        Tickets otherKey = new Tickets(TicketKey.of("another-key-0123456789-abcdef"));
        UnaryOperator<String> b64 =
                s -> Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        String longerLife = b64.apply("sale-1\n" + NOW.plusSeconds(3600).toEpochMilli() + "\n7\nbuyer-1");
        return Stream.of(
                Arguments.of("none", null, "sale-1", "buyer-1", TicketCheck.ABSENT),
                Arguments.of("empty", "", "sale-1", "buyer-1", TicketCheck.ABSENT),
                Arguments.of("another buyer's", good, "sale-1", "buyer-2", TicketCheck.INVALID),
                Arguments.of("another sale's", good, "sale-2", "buyer-1", TicketCheck.INVALID),
                Arguments.of(
                        "expired",
                        TICKETS.issue(new Ticket("sale-1", "buyer-1", 7, NOW)),
                        "sale-1",
                        "buyer-1",
                        TicketCheck.EXPIRED),
                Arguments.of(
                        "expired, for another buyer",
                        TICKETS.issue(new Ticket("sale-1", "buyer-2", 7, NOW.minusSeconds(1))),
                        "sale-1",
                        "buyer-1",
                        TicketCheck.INVALID),
                Arguments.of(
                        "signed with another key", otherKey.issue(TICKET), "sale-1", "buyer-1", TicketCheck.INVALID),
                Arguments.of(
                        "payload altered (longer life)",
                        "v1." + longerLife + "." + signature,
                        "sale-1",
                        "buyer-1",
                        TicketCheck.INVALID),
                Arguments.of(
                        "signature cut short",
                        good.substring(0, good.length() - 2),
                        "sale-1",
                        "buyer-1",
                        TicketCheck.INVALID),
                Arguments.of("no signature", "v1." + payload, "sale-1", "buyer-1", TicketCheck.INVALID),
                Arguments.of(
                        "unknown version", "v2." + payload + "." + signature, "sale-1", "buyer-1", TicketCheck.INVALID),
                Arguments.of("not base64", "v1.%%%." + signature, "sale-1", "buyer-1", TicketCheck.INVALID),
                Arguments.of("garbage", "hello", "sale-1", "buyer-1", TicketCheck.INVALID),
                Arguments.of(
                        "too long", good + "x".repeat(Tickets.MAX_LENGTH), "sale-1", "buyer-1", TicketCheck.INVALID));
    }

    @ParameterizedTest(name = "{0} -> {4}")
    @MethodSource("refusedTickets")
    void aTicketThatIsNotValid_isRefusedWithItsPreciseReason(
            String name, String token, String saleId, String buyerId, TicketCheck expected) {
        assertThat(TICKETS.check(token, saleId, buyerId, NOW).check()).isEqualTo(expected);
    }

    @Test
    void aForgedButWellFormedPayload_isInvalid_evenWhenItsFieldsMatch() {
        // A payload that says the right things, signed by someone without the key.
        Tickets forger = new Tickets(TicketKey.generate(new SecureRandom()));
        String forged = forger.issue(new Ticket("sale-1", "buyer-1", 1, NOW.plus(Duration.ofHours(1))));

        assertThat(TICKETS.check(forged, "sale-1", "buyer-1", NOW).check()).isEqualTo(TicketCheck.INVALID);
        assertThat(TICKETS.read(forged)).isEmpty();
    }

    @Test
    void aKeyShorterThanSixteenCharacters_isRefused() {
        assertThatThrownBy(() -> TicketKey.of("short")).isInstanceOf(ConfigException.class);
        assertThat(TicketKey.of("0123456789abcdef").toString()).doesNotContain("0123");
    }

    @Test
    void duringARotation_ticketsOfThePreviousKeyStillVerify_andNewOnesAreSignedWithTheNewKey() {
        TicketKey old = TicketKey.of("old-key-0123456789-abcdefghij");
        TicketKey next = TicketKey.of("new-key-0123456789-abcdefghij");
        String issuedBefore = new Tickets(old).issue(TICKET);
        Tickets rotating = new Tickets(next.withPrevious(old));
        Tickets after = new Tickets(next);

        assertThat(rotating.check(issuedBefore, "sale-1", "buyer-1", NOW).check())
                .as("a ticket issued just before the rotation")
                .isEqualTo(TicketCheck.VALID);
        String issuedDuring = rotating.issue(TICKET);
        assertThat(after.check(issuedDuring, "sale-1", "buyer-1", NOW).check())
                .as("signed with the new key")
                .isEqualTo(TicketCheck.VALID);
        assertThat(new Tickets(old)
                        .check(issuedDuring, "sale-1", "buyer-1", NOW)
                        .check())
                .isEqualTo(TicketCheck.INVALID);
        assertThat(after.check(issuedBefore, "sale-1", "buyer-1", NOW).check())
                .as("once the previous key is gone")
                .isEqualTo(TicketCheck.INVALID);
        assertThat(rotating.check(issuedBefore, "sale-1", "buyer-2", NOW).check())
                .as("the previous key binds to sale and buyer all the same")
                .isEqualTo(TicketCheck.INVALID);
    }

    @Test
    void theKeysComeFromTheEnvironment_aBlankPreviousIsNone_andAShortOneIsRefused() {
        String issued = new Tickets(TicketKey.of("old-key-0123456789-abcdefghij")).issue(TICKET);
        Tickets both = new Tickets(TicketKey.from(dev.flashsale.config.Config.of(java.util.Map.of(
                "ADMISSION_TICKET_KEY", "new-key-0123456789-abcdefghij",
                "ADMISSION_TICKET_KEY_PREVIOUS", "old-key-0123456789-abcdefghij"))));
        assertThat(both.check(issued, "sale-1", "buyer-1", NOW).check()).isEqualTo(TicketCheck.VALID);
        Tickets blank = new Tickets(TicketKey.from(dev.flashsale.config.Config.of(java.util.Map.of(
                "ADMISSION_TICKET_KEY", "new-key-0123456789-abcdefghij", "ADMISSION_TICKET_KEY_PREVIOUS", " "))));
        assertThat(blank.check(issued, "sale-1", "buyer-1", NOW).check()).isEqualTo(TicketCheck.INVALID);
        assertThatThrownBy(() -> TicketKey.from(dev.flashsale.config.Config.of(java.util.Map.of(
                        "ADMISSION_TICKET_KEY", "new-key-0123456789-abcdefghij",
                        "ADMISSION_TICKET_KEY_PREVIOUS", "short"))))
                .isInstanceOf(ConfigException.class);
    }
}
