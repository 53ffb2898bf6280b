package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.ProblemType;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestSales;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Many threads against the real Redis through the real ReserveFunction: the no-oversell and idempotency guarantees. */
class ReserveConcurrencyTest {

    @AutoClose
    private static final ReserveFixture fx = ReserveFixture.create(Map.of());

    @Test
    void reserve_1000BuyersOn64ThreadsFor100Units_holdsExactly100AndNeverGoesNegative() throws Exception {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(100, 1, 1));
        TestQueue.drain(fx.queueUrl);

        List<APIGatewayV2HTTPResponse> responses =
                race(64, 1000, i -> () -> fx.reserve(sale.id(), "buyer-" + i, "key-" + i, 1));

        List<APIGatewayV2HTTPResponse> held =
                responses.stream().filter(r -> r.getStatusCode() == 201).toList();
        List<APIGatewayV2HTTPResponse> soldOut =
                responses.stream().filter(r -> r.getStatusCode() == 409).toList();
        assertThat(held).hasSize(100);
        assertThat(soldOut).hasSize(900);
        assertThat(soldOut)
                .allSatisfy(r -> assertThat(HttpApi.body(r).get("type")).isEqualTo(ProblemType.SOLD_OUT.uri()));
        // every successful DECRBY saw a distinct non-negative remainder: 99, 98, ..., 0
        Set<Long> remainders = held.stream()
                .map(r -> ((Number) HttpApi.body(r).get("remaining")).longValue())
                .collect(Collectors.toSet());
        assertThat(remainders).isEqualTo(LongStream.range(0, 100).boxed().collect(Collectors.toSet()));

        SaleKeys k = new SaleKeys(sale.id());
        assertThat(fx.stock(sale.id())).isEqualTo("0");
        assertThat(fx.holdCount(sale.id())).isEqualTo(100);
        assertThat(fx.reservationCount(sale.id())).isEqualTo(100);
        List<String> units = fx.redis.call(c -> c.hvals(k.units()));
        long unitsHeld = units.stream().mapToLong(Long::parseLong).sum();
        assertThat(unitsHeld).isEqualTo(100);

        // one confirmation message per hold, for exactly the held reservations
        Set<String> heldIds = held.stream()
                .map(r -> (String) HttpApi.body(r).get("reservationId"))
                .collect(Collectors.toSet());
        Set<String> queuedIds = TestQueue.drain(fx.queueUrl).stream()
                .map(m -> ConfirmationMessage.fromJson(m.body()).reservationId())
                .collect(Collectors.toSet());
        assertThat(queuedIds).isEqualTo(heldIds);
    }

    @Test
    void reserve_oneBuyerOn32Threads_neverExceedsThePerBuyerLimit() throws Exception {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(1000, 5, 2));

        List<APIGatewayV2HTTPResponse> responses =
                race(32, 64, i -> () -> fx.reserve(sale.id(), "greedy", "key-" + i, 2));

        long held = responses.stream().filter(r -> r.getStatusCode() == 201).count();
        assertThat(held).isEqualTo(2); // 2 + 2 = 4 ≤ 5; a third pair would make 6
        assertThat(responses).filteredOn(r -> r.getStatusCode() != 201).allSatisfy(r -> {
            assertThat(r.getStatusCode()).isEqualTo(409);
            assertThat(HttpApi.body(r).get("type")).isEqualTo(ProblemType.PURCHASE_LIMIT_EXCEEDED.uri());
        });
        assertThat(fx.units(sale.id(), "greedy")).isEqualTo("4");
        assertThat(fx.stock(sale.id())).isEqualTo("996");
    }

    @Test
    void reserve_sameIdempotencyKeyFrom16Threads_takesOneHold() throws Exception {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(50, 10, 5));
        TestQueue.drain(fx.queueUrl);

        List<APIGatewayV2HTTPResponse> responses =
                race(16, 16, i -> () -> fx.reserve(sale.id(), "buyer-1", "same-key", 3));

        assertThat(responses)
                .extracting(APIGatewayV2HTTPResponse::getStatusCode)
                .containsOnly(200, 201);
        assertThat(responses).filteredOn(r -> r.getStatusCode() == 201).hasSize(1);
        assertThat(responses)
                .filteredOn(r -> r.getStatusCode() == 200)
                .allSatisfy(r -> assertThat(r.getHeaders()).containsEntry("idempotent-replayed", "true"));
        Set<Object> ids = new HashSet<>();
        responses.forEach(r -> ids.add(HttpApi.body(r).get("reservationId")));
        assertThat(ids).hasSize(1);

        assertThat(fx.stock(sale.id())).isEqualTo("47");
        assertThat(fx.reservationCount(sale.id())).isEqualTo(1);
        assertThat(fx.units(sale.id(), "buyer-1")).isEqualTo("3");
        // replays of a HELD reservation re-queue it (the first attempt may have died before sending); all for one id
        assertThat(TestQueue.drain(fx.queueUrl))
                .extracting(m -> ConfirmationMessage.fromJson(m.body()).reservationId())
                .containsOnly((String) ids.iterator().next());
    }

    @Test
    void reserve_sameKeyForAnotherBuyer_isAnIndependentReservation() {
        Sale sale = TestSales.seed(fx.redis, TestSales.live(10, 10, 5));

        APIGatewayV2HTTPResponse a = fx.reserve(sale.id(), "alice", "shared-key", 1);
        APIGatewayV2HTTPResponse b = fx.reserve(sale.id(), "bob", "shared-key", 1);

        assertThat(a.getStatusCode()).isEqualTo(201);
        assertThat(b.getStatusCode()).isEqualTo(201);
        assertThat(HttpApi.body(a).get("reservationId"))
                .isNotEqualTo(HttpApi.body(b).get("reservationId"));
    }

    /** Runs {@code tasks} calls on {@code threads} threads released at the same instant. */
    static <T> List<T> race(int threads, int tasks, IntFunction<Callable<T>> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                Callable<T> call = task.apply(i);
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
