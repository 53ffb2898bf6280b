package dev.flashsale.invariants;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.invariants.Violation.Scope;
import dev.flashsale.redis.Buckets;
import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationCodec;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The checker on a sale split into three stock buckets: a healthy sale, holds borrowed across buckets and confirmed,
 * passes; a unit created in one bucket, a transfer left in transit once settled and a reservation outside its buyer's
 * home bucket are found.
 */
class BucketInvariantCheckerTest {

    private static final int BUCKETS = 3;

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    private static InvariantReport check(Sale sale, boolean settled) {
        return new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), settled);
    }

    /** {@code n} buyer ids whose home is {@code bucket}, named after the sale so that no two tests share one. */
    private static List<String> buyersHomedIn(Sale sale, int bucket, int n) {
        List<String> buyers = new ArrayList<>();
        for (int i = 0; buyers.size() < n; i++) {
            String buyer = "b" + i + "-" + sale.id();
            if (Buckets.home(buyer, BUCKETS) == bucket) {
                buyers.add(buyer);
            }
        }
        return buyers;
    }

    /**
     * 12 units in three buckets of 4. Five buyers of bucket 0 take 2 units each (bucket 0 borrows 6 from the others),
     * a buyer of bucket 2 takes the last 2; all confirmed but the last buyer of bucket 0, who still holds.
     */
    private static Sale soldOutAcrossBuckets(List<Reservation> holds) {
        Sale sale = STACK.newSplitSale(12, 2, 2, BUCKETS);
        for (String buyer : buyersHomedIn(sale, 0, 5)) {
            holds.add(STACK.hold(sale.id(), buyer, 2));
        }
        holds.add(STACK.hold(sale.id(), buyersHomedIn(sale, 2, 1).getFirst(), 2));
        for (Reservation r : holds) {
            if (r != holds.get(4)) {
                STACK.confirm(r);
            }
        }
        return sale;
    }

    @Test
    void aSaleSoldOutAcrossBuckets_isConsistent_andSettledOnceItsLastHoldIsConfirmed() {
        List<Reservation> holds = new ArrayList<>();
        Sale sale = soldOutAcrossBuckets(holds);

        InvariantReport report = check(sale, false);
        assertThat(report.violations()).as(report.toString()).isEmpty();
        assertThat(report.buckets()).isEqualTo(BUCKETS);
        assertThat(report.available()).isZero();
        assertThat(report.heldUnits()).isEqualTo(2);
        assertThat(report.orderedUnits()).isEqualTo(10);
        assertThat(report.inTransit()).isZero();
        assertThat(report.perBucket()).hasSize(BUCKETS);
        assertThat(report.perBucket().stream().mapToLong(BucketFigures::allot).sum())
                .isEqualTo(12);
        assertThat(report.perBucket().getFirst())
                .as("bucket 0 borrowed what its five buyers took beyond its share")
                .isEqualTo(new BucketFigures(0, 0, 10, 2, 8));
        assertThat(check(sale, true).violations())
                .singleElement()
                .matches(v -> v.scope() == Scope.CROSS && v.message().contains("still HELD"));

        STACK.confirm(holds.get(4));
        assertThat(check(sale, true).violations()).isEmpty();
    }

    @Test
    void detectsAUnitCreatedInOneBucket() {
        Sale sale = soldOutAcrossBuckets(new ArrayList<>());
        STACK.redis.call(c -> c.incr(new SaleKeys(sale.id(), 1).stock()));

        InvariantReport report = check(sale, false);
        assertThat(report.violations(Scope.CROSS))
                .anyMatch(v -> v.message().startsWith("bucket 1: available 1 + ")
                        && v.message().endsWith("not its allotment 0"))
                .anyMatch(v -> v.message().contains("+ in transit 0 = 13, not the stock 12"));
        assertThat(report.violations(Scope.CROSS))
                .noneMatch(
                        v -> v.message().startsWith("bucket 0:") || v.message().startsWith("bucket 2:"));
    }

    @Test
    void aTransferStoppedBetweenLendAndAccept_isInTransit_andAViolationOnceSettled() {
        Sale sale = STACK.newSplitSale(12, 2, 2, BUCKETS);
        SaleKeys donor = new SaleKeys(sale.id(), 2);
        // the lend half of a transfer of 3 units from bucket 2 to bucket 1, whose accept never ran
        STACK.redis.eval(
                LuaScript.LEND,
                List.of(donor.meta(), donor.stock(), donor.lent()),
                List.of("stuck-" + sale.id(), "1", "3", "lend"));

        InvariantReport moving = check(sale, false);
        assertThat(moving.violations()).as(moving.toString()).isEmpty();
        assertThat(moving.inTransit()).isEqualTo(3);
        assertThat(moving.available()).isEqualTo(9);

        assertThat(check(sale, true).violations(Scope.REDIS))
                .singleElement()
                .satisfies(v -> assertThat(v.message())
                        .isEqualTo("transfer stuck-" + sale.id()
                                + " of 3 units from bucket 2 to bucket 1 is still in transit after settling"));
    }

    @Test
    void detectsAReservationOutsideItsBuyersHomeBucket() {
        Sale sale = STACK.newSplitSale(12, 2, 2, BUCKETS);
        String buyer = buyersHomedIn(sale, 0, 1).getFirst();
        Reservation r = STACK.hold(sale.id(), buyer, 1);
        SaleKeys home = new SaleKeys(sale.id(), 0);
        SaleKeys elsewhere = new SaleKeys(sale.id(), 1);
        // the reservation and the buyer's count moved, whole, to bucket 1
        STACK.redis.call(c -> {
            String json = c.hget(home.reservations(), r.id());
            c.hdel(home.reservations(), r.id());
            c.zrem(home.holds(), r.id());
            c.hdel(home.units(), buyer);
            c.hset(elsewhere.reservations(), r.id(), json);
            c.zadd(elsewhere.holds(), r.expiresAt().toEpochMilli(), r.id());
            c.hset(elsewhere.units(), buyer, "1");
            return null;
        });
        assertThat(ReservationCodec.decode(sale.id(), STACK.redis.call(c -> c.hget(elsewhere.reservations(), r.id())))
                        .buyerId())
                .isEqualTo(buyer);

        InvariantReport report = check(sale, false);
        assertThat(report.violations(Scope.REDIS))
                .anyMatch(v -> v.message()
                        .equals("reservation " + r.id() + " of buyer " + buyer
                                + " is in bucket 1, not in their home bucket 0"))
                .anyMatch(v ->
                        v.message().equals("buyer " + buyer + " is counted in bucket 1, not in their home bucket 0"));
        assertThat(report.violations(Scope.CROSS))
                .anyMatch(
                        v -> v.message().startsWith("bucket 1: ") && v.message().endsWith("not its allotment 4"));
    }
}
