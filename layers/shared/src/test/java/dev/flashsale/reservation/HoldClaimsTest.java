package dev.flashsale.reservation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** claim.lua, settle.lua and due.lua against the real Redis. */
class HoldClaimsTest {

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    @AutoClose
    private static final TestStack SHORT = TestStack.shortLived();

    private static String units(String saleId, String buyer) {
        return STACK.redis.call(c -> c.hget(new SaleKeys(saleId).units(), buyer));
    }

    private static boolean listed(String key, String id) {
        return STACK.redis.call(c -> c.zscore(key, id)) != null;
    }

    @Test
    void claim_takesALiveHold_once_andAgainOnlyAsARedelivery() {
        Sale sale = STACK.newSale(10, 5, 5);
        Reservation r = STACK.hold(sale.id(), "b1", 2);
        SaleKeys k = new SaleKeys(sale.id());

        ClaimOutcome first = STACK.claims.claim(new SaleKeys(sale.id()), r.id());
        assertThat(first).isInstanceOfSatisfying(ClaimOutcome.Claimed.class, c -> {
            assertThat(c.again()).isFalse();
            assertThat(c.reservation().status()).isEqualTo(ReservationStatus.CLAIMED);
            assertThat(c.reservation().quantity()).isEqualTo(2);
        });
        assertThat(listed(k.holds(), r.id())).isFalse();
        assertThat(listed(k.claims(), r.id())).isTrue();
        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), r.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.CLAIMED);

        assertThat(STACK.claims.claim(new SaleKeys(sale.id()), r.id()))
                .isInstanceOfSatisfying(
                        ClaimOutcome.Claimed.class, c -> assertThat(c.again()).isTrue());
    }

    @Test
    void claim_refusesAnExpiredHold_andLeavesItForTheReleaseJob() throws Exception {
        Sale sale = SHORT.newSale(10, 5, 5);
        Reservation r = SHORT.hold(sale.id(), "b1", 1);
        Thread.sleep(1_100);

        assertThat(SHORT.claims.claim(new SaleKeys(sale.id()), r.id())).isInstanceOf(ClaimOutcome.HoldExpired.class);
        assertThat(SHORT.store
                        .find(new SaleKeys(sale.id()), r.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.HELD);
        assertThat(SHORT.claims.expiredHolds(new SaleKeys(sale.id()), 10)).containsExactly(r.id());
    }

    @Test
    void claim_neverTakesAFinishedOrUnknownReservation() {
        Sale sale = STACK.newSale(10, 5, 5);
        Reservation cancelled = STACK.hold(sale.id(), "b1", 1);
        STACK.store.cancel(new SaleKeys(sale.id()), cancelled.id());
        Reservation confirmed = STACK.hold(sale.id(), "b2", 1);
        STACK.claims.claim(new SaleKeys(sale.id()), confirmed.id());
        STACK.claims.follow(new SaleKeys(sale.id()), confirmed.id(), new OrderDecision.Ordered(true));

        assertThat(STACK.claims.claim(new SaleKeys(sale.id()), cancelled.id()))
                .isEqualTo(new ClaimOutcome.NotClaimable(ReservationStatus.CANCELLED));
        assertThat(STACK.claims.claim(new SaleKeys(sale.id()), confirmed.id()))
                .isEqualTo(new ClaimOutcome.NotClaimable(ReservationStatus.CONFIRMED));
        assertThat(STACK.claims.claim(new SaleKeys(sale.id()), "no-such-id")).isEqualTo(new ClaimOutcome.Unknown());
    }

    @Test
    void follow_anOrder_confirmsAndKeepsTheUnitsSold() {
        Sale sale = STACK.newSale(10, 5, 5);
        Reservation r = STACK.hold(sale.id(), "b1", 3);
        STACK.claims.claim(new SaleKeys(sale.id()), r.id());

        assertThat(STACK.claims.follow(new SaleKeys(sale.id()), r.id(), new OrderDecision.Ordered(true)))
                .isEqualTo(SettleOutcome.SETTLED);
        assertThat(STACK.claims.follow(new SaleKeys(sale.id()), r.id(), new OrderDecision.Ordered(false)))
                .isEqualTo(SettleOutcome.ALREADY);

        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), r.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.CONFIRMED);
        assertThat(STACK.available(sale.id())).isEqualTo(7);
        assertThat(units(sale.id(), "b1")).isEqualTo("3");
        assertThat(listed(new SaleKeys(sale.id()).claims(), r.id())).isFalse();
    }

    @Test
    void follow_aRelease_expiresAndReturnsTheUnits_exceptWhenTheDatabaseWasSoldOut() {
        Sale sale = STACK.newSale(10, 5, 5);
        Reservation expired = STACK.hold(sale.id(), "b1", 2);
        Reservation soldOut = STACK.hold(sale.id(), "b2", 3);
        STACK.claims.claim(new SaleKeys(sale.id()), expired.id());
        STACK.claims.claim(new SaleKeys(sale.id()), soldOut.id());

        assertThat(STACK.claims.follow(
                        new SaleKeys(sale.id()),
                        expired.id(),
                        new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, true)))
                .isEqualTo(SettleOutcome.SETTLED);
        assertThat(STACK.claims.follow(
                        new SaleKeys(sale.id()),
                        soldOut.id(),
                        new OrderDecision.Released(ReleaseReason.SOLD_OUT, true)))
                .isEqualTo(SettleOutcome.SETTLED);
        // repeating changes nothing
        assertThat(STACK.claims.follow(
                        new SaleKeys(sale.id()),
                        expired.id(),
                        new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, false)))
                .isEqualTo(SettleOutcome.ALREADY);

        assertThat(STACK.available(sale.id())).isEqualTo(7); // 10 - 2 - 3 + 2
        assertThat(units(sale.id(), "b1")).isNull();
        assertThat(units(sale.id(), "b2")).isNull();
        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), expired.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.EXPIRED);
    }

    @Test
    void follow_makesAHeldReservationFollowTheDatabase_butNeverOverridesAFinishedOne() {
        Sale sale = STACK.newSale(10, 5, 5);
        Reservation ordered = STACK.hold(sale.id(), "b1", 1);
        Reservation released = STACK.hold(sale.id(), "b2", 2);
        Reservation cancelled = STACK.hold(sale.id(), "b3", 3);
        STACK.store.cancel(new SaleKeys(sale.id()), cancelled.id());

        // A HELD reservation the database ordered (Redis lost its claim): CONFIRMED, its unit stays sold
        assertThat(STACK.claims.follow(new SaleKeys(sale.id()), ordered.id(), new OrderDecision.Ordered(false)))
                .isEqualTo(SettleOutcome.SETTLED);
        // A HELD reservation the database released as expired: EXPIRED, its units back in stock
        assertThat(STACK.claims.follow(
                        new SaleKeys(sale.id()),
                        released.id(),
                        new OrderDecision.Released(ReleaseReason.HOLD_EXPIRED, true)))
                .isEqualTo(SettleOutcome.SETTLED);
        // A finished one is left alone and reported
        assertThat(STACK.claims.follow(new SaleKeys(sale.id()), cancelled.id(), new OrderDecision.Ordered(true)))
                .isEqualTo(SettleOutcome.CONFLICT);

        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), ordered.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.CONFIRMED);
        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), released.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.EXPIRED);
        assertThat(STACK.store
                        .find(new SaleKeys(sale.id()), cancelled.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.CANCELLED);
        assertThat(STACK.available(sale.id())).isEqualTo(9);
        assertThat(units(sale.id(), "b1")).isEqualTo("1");
        assertThat(units(sale.id(), "b2")).isNull();
        long listedHolds = STACK.redis.call(c -> c.zcard(new dev.flashsale.redis.SaleKeys(sale.id()).holds()));
        assertThat(listedHolds).isZero();
    }

    @Test
    void staleClaims_listsOnlyClaimsPastTheirDeadline() throws Exception {
        Sale sale = SHORT.newSale(10, 5, 5);
        Reservation old = SHORT.hold(sale.id(), "b1", 1);
        SHORT.claims.claim(new SaleKeys(sale.id()), old.id());
        Thread.sleep(1_100);
        Reservation fresh = SHORT.hold(sale.id(), "b2", 1);
        SHORT.claims.claim(new SaleKeys(sale.id()), fresh.id());

        assertThat(SHORT.claims.staleClaims(new SaleKeys(sale.id()), 10)).isEqualTo(List.of(old.id()));
        assertThat(SHORT.claims.staleClaims(new SaleKeys(sale.id()), 0)).isEmpty();
    }
}
