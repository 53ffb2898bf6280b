package dev.flashsale.local;

import dev.flashsale.db.DbConnection;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.sale.Sale;
import dev.flashsale.sale.SaleCache;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Starting the runner in tests: the machine's Redis and PostgreSQL (or embedded ones), a database of its own
 * ({@code flashsale_local_test}, so the scheduled release job only ever sees these tests' sales), a free port.
 */
public final class LocalTesting {

    public static final String DATABASE = "flashsale_local_test";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private LocalTesting() {}

    public static LocalOptions options(Path template, Map<String, String> env) {
        return LocalOptions.defaults()
                .withTemplate(template)
                .withPort(0)
                .withDatabaseName(DATABASE)
                .withEnvOverrides(env)
                .withHttpThreads(16);
    }

    public static String newSaleId() {
        return "t-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** A live sale in the stack's database and Redis. */
    public static Sale createSale(LocalStack stack, int stock, int perBuyerLimit) {
        Instant now = Instant.now();
        Sale sale = new Sale(
                newSaleId(), stock, perBuyerLimit, perBuyerLimit, now.minusSeconds(60), now.plus(Duration.ofHours(1)));
        try (DbConnection db = DbConnection.create(stack.services().db());
                RedisConnection redis = RedisConnection.create(stack.services().redis())) {
            new SaleRepository(db).create(sale, 1999, "USD");
            new SaleCache(redis, Duration.ofDays(1)).load(sale);
        }
        return sale;
    }

    /** A live ticketed sale in the stack's database (Redis loads it on the first join). */
    public static Sale createTicketedSale(LocalStack stack, int stock, int perBuyerLimit) {
        Instant now = Instant.now();
        Sale sale = new Sale(
                newSaleId(),
                stock,
                perBuyerLimit,
                perBuyerLimit,
                now.minusSeconds(60),
                now.plus(Duration.ofHours(1)),
                dev.flashsale.sale.Admission.TICKETED);
        try (DbConnection db = DbConnection.create(stack.services().db())) {
            new SaleRepository(db).create(sale, 1999, "USD");
        }
        return sale;
    }

    public static HttpResponse<String> post(URI url, String token, String key, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> get(URI url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static Connection jdbc(LocalStack stack) throws SQLException {
        return DriverManager.getConnection(
                stack.services().db().url(), stack.services().db().driverProperties());
    }

    /** Polls until {@code condition} holds; false after {@code timeout}. */
    public static boolean eventually(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
