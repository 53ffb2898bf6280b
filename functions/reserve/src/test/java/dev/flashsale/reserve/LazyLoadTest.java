package dev.flashsale.reserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.db.DbConnection;
import dev.flashsale.http.ProblemType;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestSales;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A sale prewarm has not loaded is loaded on its first reservations, once; a sale nobody knows stays 404, cheaply. */
class LazyLoadTest {

    private static ReserveFixture fx;
    private static DbConnection db;

    @BeforeAll
    static void start() {
        fx = ReserveFixture.create(Map.of("SALE_NEGATIVE_CACHE_TTL", "500ms", "SALE_LOAD_WAIT", "5s"));
        db = TestDatabase.connect();
    }

    @AfterAll
    static void stop() {
        fx.close();
        db.close();
    }

    private static List<APIGatewayV2HTTPResponse> crowd(String saleId, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<APIGatewayV2HTTPResponse>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String buyer = "buyer-" + i;
            futures.add(pool.submit(() -> {
                go.await();
                return fx.reserve(saleId, buyer, "k", 1);
            }));
        }
        go.countDown();
        List<APIGatewayV2HTTPResponse> out = new ArrayList<>();
        for (Future<APIGatewayV2HTTPResponse> f : futures) {
            out.add(f.get());
        }
        pool.shutdown();
        return out;
    }

    @Test
    void fiftyConcurrentFirstRequests_loadTheSaleFromTheDatabaseOnce() throws Exception {
        Sale sale = TestDatabase.create(db, TestSales.live(40, 1, 1)); // in the database only
        assertThat(fx.stock(sale.id())).isNull();
        long before = fx.init.loader().lookups();

        List<APIGatewayV2HTTPResponse> answers = crowd(sale.id(), 50);

        assertThat(fx.init.loader().lookups() - before).as("database look-ups").isEqualTo(1);
        assertThat(answers.stream().filter(r -> r.getStatusCode() == 201).count())
                .isEqualTo(40);
        assertThat(answers.stream().filter(r -> r.getStatusCode() == 409).count())
                .isEqualTo(10);
        assertThat(fx.stock(sale.id())).isEqualTo("0");
        assertThat(fx.holdCount(sale.id())).isEqualTo(40);
    }

    @Test
    void aSaleUnknownEverywhere_is404_andTheDatabaseIsAskedOncePerNegativeCacheTtl() throws Exception {
        String bogus = TestSales.newId();
        long before = fx.init.loader().lookups();

        List<APIGatewayV2HTTPResponse> answers = crowd(bogus, 50);
        for (int i = 0; i < 20; i++) {
            answers.add(fx.reserve(bogus, "later-" + i, "k", 1));
        }

        assertThat(answers).allSatisfy(r -> {
            assertThat(r.getStatusCode()).isEqualTo(404);
            assertThat(HttpApi.body(r).get("type")).isEqualTo(ProblemType.SALE_NOT_FOUND.uri());
        });
        assertThat(fx.init.loader().lookups() - before)
                .as("database look-ups for 70 requests")
                .isEqualTo(1);
        assertThat(fx.redis.client().exists(new SaleKeys(bogus).meta())).isFalse();
        assertThat(fx.redis.client().exists(new SaleKeys(bogus).loader())).isFalse();

        // After the TTL the database is asked again (the sale may have been created meanwhile).
        Thread.sleep(600);
        assertThat(fx.reserve(bogus, "late", "k", 1).getStatusCode()).isEqualTo(404);
        assertThat(fx.init.loader().lookups() - before).isEqualTo(2);
    }

    @Test
    void aSaleCreatedAfterItWasFoundMissing_isLoadedOnceTheNegativeEntryExpires() throws Exception {
        Sale sale = TestSales.live(5, 1, 1);
        assertThat(fx.reserve(sale.id(), "early", "k", 1).getStatusCode()).isEqualTo(404);
        TestDatabase.create(db, sale);
        Thread.sleep(600);
        assertThat(fx.reserve(sale.id(), "early", "k", 1).getStatusCode()).isEqualTo(201);
        assertThat(fx.stock(sale.id())).isEqualTo("4");
    }
}
