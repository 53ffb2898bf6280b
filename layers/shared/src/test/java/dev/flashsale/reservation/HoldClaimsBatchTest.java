package dev.flashsale.reservation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.db.OrderDecision;
import dev.flashsale.db.ReleaseReason;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.TestStack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** claim-batch.lua and settle-batch.lua against the real Redis: each id as claim.lua and settle.lua decide it. */
class HoldClaimsBatchTest {

    @AutoClose
    private static final TestStack STACK = TestStack.create();

    @AutoClose
    private static final TestStack SHORT = TestStack.shortLived();

    private static boolean listed(String key, String id) {
        return STACK.redis.call(c -> c.zscore(key, id)) != null;
    }

    private static boolean listed(TestStack stack, String key, String id) {
        Double score = stack.redis.call(c -> c.zscore(key, id));
        return score != null;
    }

    private static Map<String, String> units(String saleId) {
        return STACK.redis.call(c -> c.hgetAll(new SaleKeys(saleId).units()));
    }

    private static long available(TestStack stack, String saleId) {
        return stack.available(saleId);
    }

    @Test
    void claimAll_answersEachIdAsClaimLuaWould_inOneCall() throws Exception {
        Sale sale = SHORT.newSale(20, 5, 5);
        Reservation expired = SHORT.hold(sale.id(), "e", 1);
        Thread.sleep(1_100);
        Reservation held = SHORT.hold(sale.id(), "h", 2);
        Reservation reclaimed = SHORT.hold(sale.id(), "r", 1);
        SHORT.claims.claim(new SaleKeys(sale.id()), reclaimed.id());
        Reservation cancelled = SHORT.hold(sale.id(), "c", 1);
        SHORT.store.cancel(new SaleKeys(sale.id()), cancelled.id());
        SaleKeys k = new SaleKeys(sale.id());

        Map<String, ClaimOutcome> out = SHORT.claims.claimAll(
                new SaleKeys(sale.id()),
                List.of(held.id(), expired.id(), "no-such-id", reclaimed.id(), cancelled.id()));

        assertThat(out.keySet()).containsExactly(held.id(), expired.id(), "no-such-id", reclaimed.id(), cancelled.id());
        assertThat(out.get(held.id())).isInstanceOfSatisfying(ClaimOutcome.Claimed.class, c -> {
            assertThat(c.again()).isFalse();
            assertThat(c.reservation().quantity()).isEqualTo(2);
            assertThat(c.reservation().status()).isEqualTo(ReservationStatus.CLAIMED);
        });
        assertThat(out.get(expired.id())).isInstanceOf(ClaimOutcome.HoldExpired.class);
        assertThat(out.get("no-such-id")).isEqualTo(new ClaimOutcome.Unknown());
        assertThat(out.get(reclaimed.id()))
                .isInstanceOfSatisfying(
                        ClaimOutcome.Claimed.class, c -> assertThat(c.again()).isTrue());
        assertThat(out.get(cancelled.id())).isEqualTo(new ClaimOutcome.NotClaimable(ReservationStatus.CANCELLED));
        assertThat(listed(SHORT, k.holds(), held.id())).isFalse();
        assertThat(listed(SHORT, k.claims(), held.id())).isTrue();
        assertThat(listed(SHORT, k.holds(), expired.id())).isTrue();
        assertThat(SHORT.store
                        .find(new SaleKeys(sale.id()), expired.id())
                        .orElseThrow()
                        .status())
                .isEqualTo(ReservationStatus.HELD);
        assertThatThrownBy(() -> SHORT.claims.claimAll(new SaleKeys(sale.id()), List.of(held.id(), held.id())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void followAll_settlesEachIdAsSettleLuaWould_withTheSameCountersAndStock() {
        // Two sales with the same holds: one settled one id at a time (settle.lua), one in a single call.
        Sale one = STACK.newSale(40, 10, 5);
        Sale all = STACK.newSale(40, 10, 5);
        Random random = new Random(3);
        List<OrderDecision> decisions = new ArrayList<>();
        List<Reservation> a = new ArrayList<>();
        List<Reservation> b = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String buyer = "buyer-" + (i % 4);
            int q = 1 + (i % 2);
            a.add(STACK.hold(one.id(), buyer, q));
            b.add(STACK.hold(all.id(), buyer, q));
            decisions.add(
                    switch (random.nextInt(4)) {
                        case 0 -> new OrderDecision.Released(ReleaseReason.CLAIM_EXPIRED, true);
                        case 1 -> new OrderDecision.Released(ReleaseReason.SOLD_OUT, true);
                        default -> new OrderDecision.Ordered(true);
                    });
        }
        Map<String, OrderDecision> batch = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            if (i % 3 != 0) { // some claimed, some still HELD (settle takes both)
                STACK.claims.claim(new SaleKeys(one.id()), a.get(i).id());
                STACK.claims.claim(new SaleKeys(all.id()), b.get(i).id());
            }
            STACK.claims.follow(new SaleKeys(one.id()), a.get(i).id(), decisions.get(i));
            batch.put(b.get(i).id(), decisions.get(i));
        }
        batch.put("no-such-id", new OrderDecision.Ordered(true));

        Map<String, SettleOutcome> out = STACK.claims.followAll(new SaleKeys(all.id()), batch);

        assertThat(out.get("no-such-id")).isEqualTo(SettleOutcome.UNKNOWN);
        assertThat(out.values().stream().filter(s -> s == SettleOutcome.SETTLED))
                .hasSize(12);
        assertThat(available(STACK, all.id())).isEqualTo(available(STACK, one.id()));
        SaleKeys kb = new SaleKeys(all.id());
        assertThat(units(all.id())).isEqualTo(units(one.id()));
        for (int i = 0; i < 12; i++) {
            assertThat(STACK.store
                            .find(new SaleKeys(all.id()), b.get(i).id())
                            .orElseThrow()
                            .status())
                    .isEqualTo(STACK.store
                            .find(new SaleKeys(one.id()), a.get(i).id())
                            .orElseThrow()
                            .status());
            assertThat(listed(kb.holds(), b.get(i).id())).isFalse();
            assertThat(listed(kb.claims(), b.get(i).id())).isFalse();
        }
        // settling again changes nothing
        long before = available(STACK, all.id());
        assertThat(STACK.claims.followAll(new SaleKeys(all.id()), batch).values())
                .containsOnly(SettleOutcome.ALREADY, SettleOutcome.UNKNOWN);
        assertThat(available(STACK, all.id())).isEqualTo(before);
    }
}
