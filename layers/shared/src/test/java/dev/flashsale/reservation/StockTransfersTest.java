package dev.flashsale.reservation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.redis.LuaScript;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Units moving between a split sale's buckets, counted for operators ({@code flashsale.stock_transfers} by outcome):
 * what a buyer borrowed, what a repair finished, what covered a deficit; each counted where it happened, once.
 */
class StockTransfersTest {

    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final RedisConnection redis = new RedisConnection(
            RedisSettings.of(TestRedis.url()),
            Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(30))),
            Telemetry.create("reserve", null, metrics));
    private final StockTransfers transfers = new StockTransfers(redis);

    @AfterEach
    void close() {
        redis.close();
    }

    @Test
    void unitsMovedAreCountedByWhatMovedThem() {
        Sale sale = TestSales.seed(redis, TestSales.split(6, 3, 3, 3)); // 2 units a bucket
        SaleKeys home = new SaleKeys(sale.id(), 0);
        SaleKeys one = new SaleKeys(sale.id(), 1);
        SaleKeys two = new SaleKeys(sale.id(), 2);

        assertThat(transfers.borrow(home, 3, 1)).isEqualTo(1); // one donor keeps 2, the other 1
        // a borrower that died between lend and accept
        redis.eval(LuaScript.LEND, List.of(one.meta(), one.stock(), one.lent()), List.of("died-1", "2", "1", "lend"));
        assertThat(transfers.repair(sale.id(), 3, 0).acceptedLate()).isEqualTo(1);
        // a bucket left 2 below zero by lost writes
        redis.call(c -> c.set(two.stock(), "-2"));
        assertThat(transfers.coverDeficits(sale.id(), 3)).isEqualTo(2);

        assertThat(counted())
                .containsExactlyInAnyOrderEntriesOf(Map.of("borrowed", 1L, "accepted_late", 1L, "deficit_covered", 2L));
        String left = redis.call(c -> c.get(two.stock()));
        assertThat(left).isEqualTo("0");
        assertThat(transfers.repair(sale.id(), 3, 0).any()).isFalse();
    }

    private Map<String, Long> counted() {
        Map<String, Long> byOutcome = new HashMap<>();
        metrics.collectAllMetrics().stream()
                .filter(m -> m.getName().equals(StockTransfers.METRIC))
                .flatMap(m -> m.getLongSumData().getPoints().stream())
                .forEach(p -> byOutcome.put(p.getAttributes().get(AttributeKey.stringKey("outcome")), p.getValue()));
        return byOutcome;
    }
}
