package dev.flashsale.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.flashsale.http.ProblemType;
import dev.flashsale.queue.ConfirmationMessage;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.SaleKeys;
import dev.flashsale.reservation.ReservationCodec;
import dev.flashsale.reservation.ReservationStatus;
import dev.flashsale.reserve.ReserveFixture;
import dev.flashsale.sale.Sale;
import dev.flashsale.testing.FaultProxy;
import dev.flashsale.testing.HttpApi;
import dev.flashsale.testing.ScenarioReport;
import dev.flashsale.testing.TestQueue;
import dev.flashsale.testing.TestRedis;
import dev.flashsale.testing.TestSales;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 6 on the reservation path, with real Redis and ElasticMQ behind fault proxies: when a dependency is down,
 * slow or flapping, answers come fast (503 + Retry-After), nothing is stranded, and the breakers close again by
 * themselves when it recovers.
 */
class ReserveDegradationTest {

    /** Every degraded answer must come well inside this (socket timeouts are 200-500 ms; no 60 s hangs). */
    private static final long BOUND_MS = 1500;

    private static final ScenarioReport REPORT = new ScenarioReport(
            "Reservation path under faults (real Redis + ElasticMQ behind TCP fault proxies)",
            "requests",
            "within " + BOUND_MS + " ms",
            "2xx",
            "409",
            "503",
            "other",
            "max ms",
            "lost");

    private static FaultProxy redisProxy;
    private static FaultProxy sqsProxy;
    private static RedisConnection direct;
    private static ReserveFixture fx;

    @BeforeAll
    static void start() {
        URI redis = URI.create(TestRedis.url());
        redisProxy = new FaultProxy(redis.getHost(), redis.getPort() > 0 ? redis.getPort() : 6379);
        sqsProxy = new FaultProxy("127.0.0.1", TestQueue.endpoint().getPort());
        direct = TestRedis.connect();
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", "redis://127.0.0.1:" + redisProxy.port());
        env.put("REDIS_TIMEOUT", "200ms");
        env.put("REDIS_CONNECT_TIMEOUT", "200ms");
        env.put("SQS_ENDPOINT", "http://127.0.0.1:" + sqsProxy.port());
        env.put("SQS_TIMEOUT", "500ms");
        env.put("SQS_CONNECT_TIMEOUT", "200ms");
        env.put("BREAKER_OPEN_WAIT", "500ms");
        env.put("BREAKER_MIN_CALLS", "5");
        env.put("BREAKER_WINDOW", "10");
        fx = ReserveFixture.create(env);
    }

    @BeforeEach
    void healthy() {
        redisProxy.pass();
        sqsProxy.pass();
        fx.redis.breaker().reset();
        ((dev.flashsale.queue.SqsConfirmationQueue) queue()).breaker().reset();
        TestQueue.drain(fx.queueUrl);
    }

    @AfterAll
    static void stop() {
        System.out.println(REPORT.render());
        fx.close();
        direct.close();
        redisProxy.close();
        sqsProxy.close();
    }

    @Test
    void redisDownDuringACrowd_answers503FastAndRecoversByItself() throws Exception {
        Sale sale = liveSale();
        redisProxy.refuse();

        List<Answer> answers = crowd(sale.id(), 200, 16, "down");

        assertThat(answers).allSatisfy(a -> {
            assertThat(a.status).isEqualTo(503);
            assertThat(a.retryAfter).isNotNull();
        });
        assertThat(fx.redis.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertUnchangedAndNothingQueued(sale);
        report("redis down during a crowd", sale, answers);

        redisProxy.pass();
        assertRecovers(sale, fx.redis.breaker());
    }

    @Test
    void redisSlowerThanItsTimeout_answers503Fast_andLeavesOnlyHoldsThatWillExpire() throws Exception {
        Sale sale = liveSale();
        redisProxy.delay(Duration.ofSeconds(1));

        List<Answer> answers = crowdAllRefused(sale, "slow");
        // A reply that timed out may still have taken its hold: such holds are HELD with a deadline and return to
        // stock when they expire; the units always add up.
        assertStockAddsUp(sale);
        report("redis slow (1 s replies, 200 ms timeout)", sale, answers);

        redisProxy.pass();
        assertRecovers(sale, fx.redis.breaker());
    }

    @Test
    void redisBlackHole_answers503Fast() throws Exception {
        Sale sale = liveSale();
        redisProxy.blackhole();

        List<Answer> answers = crowdAllRefused(sale, "hole");
        assertStockAddsUp(sale);
        report("redis black hole", sale, answers);
        redisProxy.pass();
        redisProxy.cutConnections();
        assertRecovers(sale, fx.redis.breaker());
    }

    @Test
    void sqsRefusingSends_releasesEveryHold_thenStopsTouchingRedis_andRecovers() throws Exception {
        Sale sale = liveSale();
        sqsProxy.refuse();

        List<Answer> answers = crowdAllRefused(sale, "sqs");
        assertUnchangedAndNothingQueued(sale);
        CircuitBreaker sqsBreaker = ((dev.flashsale.queue.SqsConfirmationQueue) queue()).breaker();
        assertThat(sqsBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        // The crowd opened it, maybe longer ago than its open wait on a loaded machine (then the next call would be a
        // half-open probe): open it afresh, so that the call below meets an open breaker.
        sqsBreaker.transitionToOpenState();
        long before = fx.redis.calls();
        assertThat(fx.reserve(sale.id(), "while-open", "k", 1).getStatusCode()).isEqualTo(503);
        assertThat(fx.redis.calls() - before)
                .as("redis calls while the queue breaker is open")
                .isZero();
        report("sqs refusing sends", sale, answers);

        sqsProxy.pass();
        assertRecovers(sale, sqsBreaker);
    }

    @Test
    void redisFlapping_neverOversellsOrStrandsAndEveryHoldIsQueued() throws Exception {
        Sale sale = liveSale();
        TestQueue.drain(fx.queueUrl);
        AtomicBoolean flapping = new AtomicBoolean(true);
        Thread flapper = new Thread(() -> {
            boolean down = false;
            while (flapping.get()) {
                if (down) {
                    redisProxy.pass();
                } else {
                    redisProxy.refuse();
                }
                down = !down;
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        flapper.start();
        List<Answer> answers;
        try {
            answers = pacedCrowd(sale.id(), Duration.ofSeconds(3), 8, "flap");
        } finally {
            flapping.set(false);
            flapper.join();
            redisProxy.pass();
        }

        assertThat(answers).extracting(a -> a.status).allMatch(s -> s == 201 || s == 409 || s == 503);
        assertThat(answers)
                .as("the crowd saw Redis both up and down")
                .anyMatch(a -> a.status == 201)
                .anyMatch(a -> a.status == 503);
        assertStockAddsUp(sale);
        Set<String> held = answers.stream()
                .filter(a -> a.status == 201)
                .map(a -> a.reservationId)
                .collect(Collectors.toSet());
        Set<String> queued = TestQueue.drain(fx.queueUrl).stream()
                .map(m -> ConfirmationMessage.fromJson(m.body()).reservationId())
                .collect(Collectors.toSet());
        assertThat(queued).containsAll(held);
        assertThat(held.size()).isLessThanOrEqualTo(100);
        report(
                "redis flapping (150 ms up/down, 3 s)",
                sale,
                answers,
                held.size() - (int) held.stream().filter(queued::contains).count());
        assertRecovers(sale, fx.redis.breaker());
    }

    // ---------------------------------------------------------------------------------------------------------------

    private record Answer(int status, long millis, String retryAfter, String reservationId) {}

    private static Sale liveSale() {
        return TestSales.seed(direct, TestSales.live(100, 5, 1));
    }

    /** 100 requests from 8 threads, every one answered 503. */
    private static List<Answer> crowdAllRefused(Sale sale, String tag) throws Exception {
        List<Answer> answers = crowd(sale.id(), 100, 8, tag);
        assertThat(answers).allSatisfy(a -> assertThat(a.status).isEqualTo(503));
        return answers;
    }

    private static List<Answer> crowd(String saleId, int requests, int threads, String tag) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Answer>> futures = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    APIGatewayV2HTTPResponse r = fx.reserve(saleId, tag + "-buyer-" + n, tag + "-" + n, 1);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    String id =
                            r.getStatusCode() == 201 ? (String) HttpApi.body(r).get("reservationId") : null;
                    if (r.getStatusCode() == 503) {
                        assertThat(HttpApi.body(r).get("type")).isEqualTo(ProblemType.SERVICE_UNAVAILABLE.uri());
                    }
                    return new Answer(r.getStatusCode(), ms, r.getHeaders().get("retry-after"), id);
                }));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<Answer> f : futures) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(answers)
                    .allSatisfy(a -> assertThat(a.millis).as("answer time").isLessThan(BOUND_MS));
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each of {@code threads} buyers-in-a-loop sends a request every 20 ms until {@code length} has passed. */
    private static List<Answer> pacedCrowd(String saleId, Duration length, int threads, String tag) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long end = System.nanoTime() + length.toNanos();
        try {
            List<Future<List<Answer>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<Answer> mine = new ArrayList<>();
                    for (int n = 0; System.nanoTime() < end; n++) {
                        long t0 = System.nanoTime();
                        APIGatewayV2HTTPResponse r =
                                fx.reserve(saleId, tag + "-" + thread + "-" + n, tag + "-" + thread + "-" + n, 1);
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        String id = r.getStatusCode() == 201
                                ? (String) HttpApi.body(r).get("reservationId")
                                : null;
                        mine.add(
                                new Answer(r.getStatusCode(), ms, r.getHeaders().get("retry-after"), id));
                        Thread.sleep(20);
                    }
                    return mine;
                }));
            }
            List<Answer> answers = new ArrayList<>();
            for (Future<List<Answer>> f : futures) {
                answers.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(answers)
                    .allSatisfy(a -> assertThat(a.millis).as("answer time").isLessThan(BOUND_MS));
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void report(String scenario, Sale sale, List<Answer> answers) {
        report(scenario, sale, answers, 0);
    }

    private static void report(String scenario, Sale sale, List<Answer> answers, int lost) {
        int ok = (int) answers.stream().filter(a -> a.status / 100 == 2).count();
        int conflict = (int) answers.stream().filter(a -> a.status == 409).count();
        int unavailable = (int) answers.stream().filter(a -> a.status == 503).count();
        long max = answers.stream().mapToLong(a -> a.millis).max().orElse(0);
        int within = (int) answers.stream().filter(a -> a.millis < BOUND_MS).count();
        REPORT.add(
                scenario,
                answers.size(),
                within,
                ok,
                conflict,
                unavailable,
                answers.size() - ok - conflict - unavailable,
                max,
                lost);
    }

    private static dev.flashsale.queue.ConfirmationQueue queue() {
        return fx.init.queue();
    }

    /** available + units of HELD reservations == stock: nothing oversold, nothing stranded outside a hold. */
    private static void assertStockAddsUp(Sale sale) {
        SaleKeys k = new SaleKeys(sale.id());
        long available = Long.parseLong(direct.client().get(k.stock()));
        long held = direct.client().hvals(k.reservations()).stream()
                .map(json -> ReservationCodec.decode(sale.id(), json))
                .filter(r -> r.status() == ReservationStatus.HELD)
                .mapToLong(r -> r.quantity())
                .sum();
        assertThat(available + held).isEqualTo(sale.stock());
        assertThat(available).isBetween(0L, (long) sale.stock());
    }

    private static void assertUnchangedAndNothingQueued(Sale sale) {
        SaleKeys k = new SaleKeys(sale.id());
        assertThat(direct.client().get(k.stock())).isEqualTo(Integer.toString(sale.stock()));
        List<String> statuses = new ArrayList<>(direct.client().hvals(k.reservations()));
        assertThat(statuses.stream()
                        .map(j -> ReservationCodec.decode(sale.id(), j).status())
                        .collect(Collectors.toSet()))
                .isSubsetOf(Collections.singleton(ReservationStatus.CANCELLED));
        assertThat(TestQueue.drain(fx.queueUrl)).isEmpty();
    }

    /** After the fault clears, half-open probes close the breaker and reservations succeed again, with no manual step. */
    private static void assertRecovers(Sale sale, CircuitBreaker breaker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int created = 0;
        int i = 0;
        while (System.nanoTime() < deadline && (created < 5 || breaker.getState() != CircuitBreaker.State.CLOSED)) {
            APIGatewayV2HTTPResponse r = fx.reserve(sale.id(), "recovered-" + i, "r-" + i, 1);
            i++;
            if (r.getStatusCode() == 201) {
                created++;
            } else {
                Thread.sleep(100);
            }
        }
        assertThat(created).as("reservations after recovery").isGreaterThanOrEqualTo(5);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        TestQueue.drain(fx.queueUrl);
    }
}
