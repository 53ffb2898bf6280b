package dev.flashsale.invariants;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.invariants.Violation.Scope;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.Reservation;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestStack;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The checker finds what is broken (so that a clean report in the other tests means something). */
class InvariantCheckerTest {

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    private static Sale saleWithOneOrderAndOneHold() {
        Sale sale = STACK.newSale(10, 2, 2);
        Reservation confirmed = STACK.hold(sale.id(), "b1", 2);
        STACK.confirm(confirmed);
        STACK.hold(sale.id(), "b2", 1);
        return sale;
    }

    @Test
    void aConsistentSale_hasNoViolations_butIsNotSettledWhileHoldsAreLive() {
        Sale sale = saleWithOneOrderAndOneHold();

        InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), false);
        assertThat(report.violations()).isEmpty();
        assertThat(report.available()).isEqualTo(7);
        assertThat(report.heldUnits()).isEqualTo(1);
        assertThat(report.orderedUnits()).isEqualTo(2);
        assertThat(new InvariantChecker(STACK.redis, STACK.db)
                        .check(sale.id(), true)
                        .violations())
                .singleElement()
                .matches(v -> v.scope() == Scope.CROSS && v.message().contains("still HELD"));
    }

    @Test
    void detectsAnOversoldDatabase_andAnOrderNobodyCounted() throws Exception {
        Sale sale = saleWithOneOrderAndOneHold();
        writeAroundTheFence(orderOf(sale, "rogue-" + sale.id(), "x", 9));

        InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), false);
        assertThat(report.violations(Scope.DATABASE))
                .anyMatch(v -> v.message().contains("differs from the 11 units in orders"));
        assertThat(report.violations(Scope.CROSS)).anyMatch(v -> v.message().contains("not the stock 10"));
    }

    @Test
    void detectsLeakedOrInventedStock_andBrokenRedisBookkeeping() {
        Sale sale = saleWithOneOrderAndOneHold();
        SaleKeys k = new SaleKeys(sale.id());
        STACK.redis.call(c -> c.incrBy(k.stock(), 1));
        STACK.redis.call(c -> c.hincrBy(k.units(), "b2", 5));
        STACK.redis.call(c -> c.zadd(k.claims(), 1, "ghost"));

        InvariantReport report = new InvariantChecker(STACK.redis, STACK.db).check(sale.id(), false);
        assertThat(report.violations(Scope.CROSS)).anyMatch(v -> v.message().contains("= 11, not the stock 10"));
        assertThat(report.violations(Scope.REDIS))
                .anyMatch(v -> v.message().contains("buyer b2 is counted for 6 units but has 1"));
        assertThat(report.violations(Scope.REDIS))
                .anyMatch(v -> v.message().contains("claims set lists unknown reservation ghost"));
    }

    @Test
    void detectsAConfirmationRedisInvented() {
        Sale sale = STACK.newSale(10, 2, 2);
        Reservation r = STACK.hold(sale.id(), "b1", 1);
        STACK.claims.claim(new SaleKeys(sale.id()), r.id());
        // Redis marks it CONFIRMED without any order in the database (the bug the fence exists to prevent)
        STACK.claims.follow(new SaleKeys(sale.id()), r.id(), new dev.flashsale.db.OrderDecision.Ordered(true));

        assertThat(new InvariantChecker(STACK.redis, STACK.db)
                        .check(sale.id(), false)
                        .violations(Scope.CROSS))
                .anyMatch(v -> v.message().contains("CONFIRMED in Redis but has no order"));
    }

    @Test
    void detectsABuyerOverTheLimitInTheDatabase() throws Exception {
        Sale sale = saleWithOneOrderAndOneHold();
        // b1 already has 2 units, the sale's limit; an order written around the fence gives them 3
        writeAroundTheFence(
                orderOf(sale, "extra-" + sale.id(), "b1", 1),
                "UPDATE sales SET sold = sold + 1 WHERE id = '" + sale.id() + "'");

        assertThat(new InvariantChecker(STACK.redis, STACK.db)
                        .check(sale.id(), false)
                        .violations(Scope.DATABASE))
                .anyMatch(v -> v.message().equals("buyer b1 has orders for 3 units, over the limit of 2"));
    }

    /** Runs {@code statements} straight on the database, around the fence: what the checker must catch. */
    private static void writeAroundTheFence(String... statements) throws SQLException {
        try (Connection c = TestDatabase.jdbc();
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static String orderOf(Sale sale, String reservationId, String buyerId, int quantity) {
        return "INSERT INTO orders (reservation_id, sale_id, buyer_id, quantity, unit_price_cents, held_at) VALUES ('"
                + reservationId + "', '" + sale.id() + "', '" + buyerId + "', " + quantity + ", 1, now())";
    }
}
