package dev.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.ClaimOutcome;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.SettleOutcome;
import dev.flashsale.testing.TestStack;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A sale's keys expire with it (its end plus the retention, one day here), against the real Redis: reserve.lua sets the
 * expiry of the keys a hold writes only when one of them is new, a hold or decision restored from its message after a
 * failover gives its keys the counter's expiry, and reconciliation gives it to any key of the sale that lacks one.
 */
class SaleKeyExpiryTest {

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    private static long expected(Sale sale) {
        return sale.endsAt().plus(Duration.ofDays(1)).toEpochMilli();
    }

    /** The key's expiry as an epoch millisecond; -1 when it has none, -2 when it does not exist. */
    private static long expiresAt(String key) {
        return STACK.redis.call(c -> c.pexpireTime(key));
    }

    private static List<String> holdKeys(SaleKeys k) {
        return List.of(k.reservations(), k.idempotency(), k.units(), k.holds());
    }

    @Test
    void theFirstHold_givesEveryKeyItWrites_theSalesExpiry() {
        Sale sale = STACK.newSale(10, 4, 2);
        STACK.hold(sale.id(), "b1", 1);

        for (String key : holdKeys(new SaleKeys(sale.id()))) {
            assertThat(expiresAt(key)).as(key).isEqualTo(expected(sale));
        }
    }

    @Test
    void aHoldsSetEmptiedAndMadeAgain_getsTheExpiryBack() {
        Sale sale = STACK.newSale(10, 4, 2);
        SaleKeys k = new SaleKeys(sale.id());
        Reservation first = STACK.hold(sale.id(), "b1", 1);
        STACK.confirm(first); // its id leaves the holds set, the last one: the set is gone
        assertThat(expiresAt(k.holds())).isEqualTo(-2);

        STACK.hold(sale.id(), "b2", 1);

        assertThat(expiresAt(k.holds())).isEqualTo(expected(sale));
        for (String key : holdKeys(k)) {
            assertThat(expiresAt(key)).as(key).isEqualTo(expected(sale));
        }
    }

    @Test
    void keysWithoutAnExpiry_getItAtTheNextReconcile() {
        Sale sale = STACK.newSale(10, 4, 2);
        SaleKeys k = new SaleKeys(sale.id());
        STACK.claims.claim(k, STACK.hold(sale.id(), "b1", 1).id()); // so that the claims set exists too
        STACK.hold(sale.id(), "b2", 1);
        List<String> keys = List.of(k.reservations(), k.idempotency(), k.units(), k.holds(), k.claims());
        for (String key : keys) {
            // as a script that creates the key without an expiry would leave it
            long persisted = STACK.redis.call(c -> c.persist(key));
            assertThat(persisted).as(key).isEqualTo(1);
        }
        STACK.hold(sale.id(), "b3", 1);
        // a hold finds the keys there and leaves their expiry alone: setting it is not the hot path's work
        assertThat(expiresAt(k.reservations())).isEqualTo(-1);

        assertThat(STACK.saleSync().reconcile(sale.id())).isPresent();

        for (String key : keys) {
            assertThat(expiresAt(key)).as(key).isEqualTo(expected(sale));
        }
    }

    @Test
    void aHoldRestoredFromItsMessage_afterAFailoverLostItsKeys_expiresWithTheSale() {
        Sale sale = STACK.newSale(10, 4, 2);
        SaleKeys k = new SaleKeys(sale.id());
        Reservation lostHold = STACK.hold(sale.id(), "b1", 1);
        Reservation lostOrder = STACK.hold(sale.id(), "b2", 1);
        // the sale's counter and definition survived; every key the holds wrote did not
        long deleted = STACK.redis.call(c -> c.del(k.reservations(), k.idempotency(), k.units(), k.holds()));
        assertThat(deleted).isEqualTo(4);

        assertThat(STACK.claims.claimOrRestore(k, lostHold)).isInstanceOf(ClaimOutcome.Restored.class);
        for (String key : List.of(k.reservations(), k.idempotency(), k.units(), k.claims())) {
            assertThat(expiresAt(key)).as(key).isEqualTo(expected(sale));
        }

        long gone = STACK.redis.call(c -> c.del(k.reservations(), k.idempotency()));
        assertThat(gone).isEqualTo(2);
        assertThat(STACK.claims.followOrRestore(k, lostOrder, STACK.fence.confirm(lostOrder)))
                .isEqualTo(SettleOutcome.RESTORED);
        for (String key : List.of(k.reservations(), k.idempotency())) {
            assertThat(expiresAt(key)).as(key).isEqualTo(expected(sale));
        }
    }

    @Test
    void inASaleSplitIntoBuckets_theHomeBucketsKeysExpireWithTheSale() {
        Sale sale = STACK.newSplitSale(12, 4, 2, 3);
        Reservation r = STACK.hold(sale.id(), "b1", 1);
        SaleKeys home = STACK.store.buckets().home(sale.id(), r.buyerId());

        for (String key : holdKeys(home)) {
            assertThat(expiresAt(key)).as(key).isEqualTo(expected(sale));
        }
    }
}
