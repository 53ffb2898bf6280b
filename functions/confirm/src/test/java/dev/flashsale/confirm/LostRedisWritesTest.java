package dev.flashsale.confirm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.flashsale.invariants.InvariantChecker;
import dev.flashsale.invariants.InvariantReport;
import dev.flashsale.invariants.Violation.Scope;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;

/** A Redis failover that loses recent writes makes Redis hand out sold units again; the database still sells only the stock. */
class LostRedisWritesTest {

    @Test
    void failoverRestoresStockAndLosesHolds_theDatabaseNeverSellsMoreThanTheStock() {
        try (TestStack stack = TestStack.create()) {
            Sale sale = stack.newSale(10, 1, 1);
            ConfirmHandler confirmer = new ConfirmHandler(stack.claims, stack.fence);

            // 1. Ten buyers hold all ten units; six orders are confirmed, four messages are still queued.
            List<Reservation> before = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                before.add(stack.hold(sale.id(), "early-" + i, 1));
            }
            for (int i = 0; i < 6; i++) {
                assertThat(confirmer.confirm(ConfirmationMessage.of(before.get(i)))).isEqualTo(ConfirmOutcome.CONFIRMED);
            }

            // 2. Failover to a replica that missed every write since the sale was loaded: no reservations, full stock.
            SaleKeys k = new SaleKeys(sale.id());
            stack.redis.call(c -> c.del(k.reservations(), k.holds(), k.claims(), k.units(), k.idempotency()));
            stack.redis.call(c -> c.set(k.stock(), "10"));

            // 3. Ten new buyers get holds on units that are already sold; every message is delivered twice.
            List<Reservation> after = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                after.add(stack.hold(sale.id(), "late-" + i, 1));
            }
            List<ConfirmOutcome> outcomes = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (Reservation r : before.subList(6, 10)) {
                    outcomes.add(confirmer.confirm(ConfirmationMessage.of(r)));
                }
                for (Reservation r : after) {
                    outcomes.add(confirmer.confirm(ConfirmationMessage.of(r)));
                }
            }

            // 4. The database sold exactly its stock: four late buyers got the four units left, six were refused.
            InvariantReport report = new InvariantChecker(stack.redis, stack.db).check(sale.id(), true);
            assertThat(report.violations(Scope.DATABASE)).isEmpty();
            assertThat(report.sold()).isEqualTo(10);
            assertThat(report.orderedUnits()).isEqualTo(10);
            assertThat(outcomes.stream().filter(o -> o == ConfirmOutcome.CONFIRMED).count()).isEqualTo(4);
            assertThat(outcomes.stream().filter(o -> o == ConfirmOutcome.REFUSED_SOLD_OUT).count()).isEqualTo(6);
            // the second delivery finds them settled in Redis
            assertThat(outcomes.stream().filter(o -> o == ConfirmOutcome.ALREADY_CONFIRMED).count()).isEqualTo(4);
            assertThat(outcomes.stream().filter(o -> o == ConfirmOutcome.NOT_HELD).count()).isEqualTo(6);
            assertThat(outcomes.stream().filter(o -> o == ConfirmOutcome.UNKNOWN_RESERVATION).count()).isEqualTo(8);
            assertThat(report.count(ReservationStatus.CONFIRMED)).isEqualTo(4);
            assertThat(report.count(ReservationStatus.EXPIRED)).isEqualTo(6);
            // refused units are not handed back: Redis has none left to sell, which is the truth
            assertThat(report.available()).isZero();
            assertThat(report.available() + report.heldUnits() + report.orderedUnits()).isEqualTo(10);
            // what Redis lost is visible to the checker: six orders whose reservations it no longer has
            assertThat(report.violations(Scope.CROSS)).hasSize(6)
                    .allMatch(v -> v.message().contains("has no reservation in Redis"));
        }
    }
}
