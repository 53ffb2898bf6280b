package dev.flashsale.reservation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * What Redis gives back when a failover lost a reservation's writes (simulated here by deleting exactly what a
 * promoted replica would lack), against the real Redis: the key still names the same reservation, a lost hold is
 * restored from its confirmation message with the effects it had, and a decided one is written back.
 */
class LostReservationTest {

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    private static ReserveOutcome reserve(Sale sale, String buyer, String key, int quantity) {
        return STACK.store.reserve(new ReserveRequest(sale.id(), buyer, key, quantity));
    }

    private static Reservation held(ReserveOutcome outcome) {
        assertThat(outcome).isInstanceOf(ReserveOutcome.Held.class);
        return ((ReserveOutcome.Held) outcome).reservation();
    }

    private static String idemField(String buyer, String key) {
        return buyer + "\n" + key;
    }

    private static long units(Sale sale, String buyer) {
        String v = STACK.redis.call(c -> c.hget(new SaleKeys(sale.id()).units(), buyer));
        return v == null ? 0 : Long.parseLong(v);
    }

    @Test
    void aKeyWhoseMappingWasLost_findsItsReservationAgain_andTheMappingComesBack() {
        Sale sale = STACK.newSale(10, 4, 2);
        Reservation first = held(reserve(sale, "b1", "k1", 2));
        SaleKeys k = new SaleKeys(sale.id());
        STACK.redis.call(c -> c.hdel(k.idempotency(), idemField("b1", "k1")));

        ReserveOutcome again = reserve(sale, "b1", "k1", 2);

        assertThat(again).isInstanceOfSatisfying(ReserveOutcome.Held.class, h -> {
            assertThat(h.replayed()).isTrue();
            assertThat(h.reservation().id()).isEqualTo(first.id());
        });
        String mapped = STACK.redis.call(c -> c.hget(k.idempotency(), idemField("b1", "k1")));
        assertThat(mapped).isEqualTo(first.id());
        assertThat(STACK.available(sale.id())).isEqualTo(8);
        assertThat(reserve(sale, "b1", "k1", 1))
                .isInstanceOfSatisfying(
                        ReserveOutcome.Refused.class,
                        r -> assertThat(r.refusal()).isInstanceOf(Refusal.KeyReused.class));
    }

    @Test
    void aKeyWhoseReservationWasLostEntirely_getsANewHoldUnderTheSameId() {
        Sale sale = STACK.newSale(10, 4, 2);
        Reservation first = held(reserve(sale, "b1", "k1", 2));
        STACK.loseInFailover(first);

        Reservation second = held(reserve(sale, "b1", "k1", 2));

        assertThat(second.id()).isEqualTo(first.id());
        assertThat(STACK.available(sale.id())).isEqualTo(8);
        assertThat(units(sale, "b1")).isEqualTo(2);
    }

    @Test
    void aCancelledHold_isTakenAgainUnderTheSameId_whenItsKeyIsRetried() {
        Sale sale = STACK.newSale(10, 4, 2);
        Reservation first = held(reserve(sale, "b1", "k1", 2));
        assertThat(STACK.store.cancel(new SaleKeys(sale.id()), first.id())).isInstanceOf(ReleaseOutcome.Released.class);

        ReserveOutcome retry = reserve(sale, "b1", "k1", 2);

        assertThat(retry).isInstanceOfSatisfying(ReserveOutcome.Held.class, h -> {
            assertThat(h.replayed()).isFalse();
            assertThat(h.reservation().id()).isEqualTo(first.id());
            assertThat(h.reservation().status()).isEqualTo(ReservationStatus.HELD);
        });
        assertThat(STACK.available(sale.id())).isEqualTo(8);
    }

    @Test
    void aLostLiveHold_isRestoredFromItsMessage_asClaimed_withTheEffectsItHad() {
        Sale sale = STACK.newSale(10, 4, 2);
        Reservation hold = held(reserve(sale, "b1", "k1", 2));
        STACK.loseInFailover(hold);
        assertThat(STACK.claims.claim(new SaleKeys(sale.id()), hold.id())).isInstanceOf(ClaimOutcome.Unknown.class);

        ClaimOutcome restored = STACK.claims.claimOrRestore(new SaleKeys(hold.saleId()), hold);

        assertThat(restored).isInstanceOfSatisfying(ClaimOutcome.Restored.class, r -> {
            assertThat(r.reservation().id()).isEqualTo(hold.id());
            assertThat(r.reservation().status()).isEqualTo(ReservationStatus.CLAIMED);
            assertThat(r.reservation().quantity()).isEqualTo(2);
        });
        SaleKeys k = new SaleKeys(sale.id());
        assertThat(STACK.available(sale.id())).isEqualTo(8);
        assertThat(units(sale, "b1")).isEqualTo(2);
        Double claimDeadline = STACK.redis.call(c -> c.zscore(k.claims(), hold.id()));
        assertThat(claimDeadline).isNotNull();
        // the key answers the restored reservation
        assertThat(reserve(sale, "b1", "k1", 2))
                .isInstanceOfSatisfying(
                        ReserveOutcome.Held.class,
                        h -> assertThat(h.reservation().id()).isEqualTo(hold.id()));
        // a second restore is an ordinary re-claim: nothing is applied twice
        assertThat(STACK.claims.claimOrRestore(new SaleKeys(hold.saleId()), hold))
                .isInstanceOf(ClaimOutcome.Claimed.class);
        assertThat(STACK.available(sale.id())).isEqualTo(8);
        assertThat(units(sale, "b1")).isEqualTo(2);
    }

    @Test
    void aLostHoldPastItsDeadline_isNotRestored() {
        Sale sale = STACK.newSale(10, 4, 2);
        Reservation hold = held(reserve(sale, "b1", "k1", 2));
        STACK.loseInFailover(hold);
        Reservation expired = hold.withExpiresAt(Instant.now().minusSeconds(1));

        assertThat(STACK.claims.claimOrRestore(new SaleKeys(expired.saleId()), expired))
                .isInstanceOf(ClaimOutcome.Unknown.class);
        assertThat(STACK.store.find(new SaleKeys(sale.id()), hold.id())).isEmpty();
        assertThat(STACK.available(sale.id())).isEqualTo(10);
    }

    @Test
    void aLostReservationDecidedByTheDatabase_isWrittenBackWithItsOutcome_forReplaysToAnswer() {
        Sale sale = STACK.newSale(10, 4, 2);
        Reservation hold = held(reserve(sale, "b1", "k1", 2));
        STACK.loseInFailover(hold);

        SettleOutcome s = STACK.claims.followOrRestore(
                new SaleKeys(hold.saleId()), hold, new OrderDecision.Released(ReleaseReason.HOLD_EXPIRED, true));

        assertThat(s).isEqualTo(SettleOutcome.RESTORED);
        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), hold.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.EXPIRED);
        assertThat(reserve(sale, "b1", "k1", 2)).isInstanceOfSatisfying(ReserveOutcome.Held.class, h -> {
            assertThat(h.replayed()).isTrue();
            assertThat(h.reservation().status()).isEqualTo(ReservationStatus.EXPIRED);
        });
        assertThat(STACK.available(sale.id())).isEqualTo(10);
        // the ordinary path still says UNKNOWN without a copy, and follows a record it has
        assertThat(STACK.claims.follow(new SaleKeys(sale.id()), "no-such-id", new OrderDecision.Ordered(true)))
                .isEqualTo(SettleOutcome.UNKNOWN);
    }

    @Test
    void restoredHolds_waitNoLongerThanTheirDeadline() throws Exception {
        TestStack brief = new TestStack(Duration.ofMillis(300), Duration.ofSeconds(5));
        try {
            Sale sale = brief.newSale(10, 4, 2);
            Reservation hold = held(brief.store.reserve(new ReserveRequest(sale.id(), "b1", "k1", 1)));
            brief.redis.call(c -> c.hdel(new SaleKeys(sale.id()).reservations(), hold.id()));
            Thread.sleep(400);
            assertThat(brief.claims.claimOrRestore(new SaleKeys(hold.saleId()), hold))
                    .isInstanceOf(ClaimOutcome.Unknown.class);
        } finally {
            brief.close();
        }
    }
}
