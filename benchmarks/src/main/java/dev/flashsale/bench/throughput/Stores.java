package dev.flashsale.bench.throughput;

import dev.flashsale.bench.BenchDatabase;
import dev.flashsale.db.DbConnection;
import dev.flashsale.db.DbPassword;
import dev.flashsale.db.DbSettings;
import dev.flashsale.db.Migrations;
import dev.flashsale.db.SaleRepository;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.sale.Sale;
import dev.flashsale.telemetry.Telemetry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/**
 * The benchmark's Redis and PostgreSQL: the local servers (or {@code REDIS_URL}, {@code DATABASE_URL}), a database of
 * its own ({@code flashsale_bench_tp}, created and migrated if missing, its sales and orders emptied at start), and keys
 * under fresh prefixes that expire by themselves within the hour even if a run dies.
 */
final class Stores implements AutoCloseable {

    static final String DATABASE = "flashsale_bench_tp";
    /** Every key and sale id of a run starts with this and a fresh run id. */
    static final String PREFIX = "tput-";

    static final Duration KEY_TTL = Duration.ofMinutes(30);

    final String redisUrl;
    final String databaseUrl;
    final RedisSettings redisSettings;
    final DbSettings dbSettings;
    final String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(1296), 36);
    private final DbConnection admin;
    private int sales;

    Stores() {
        this.redisUrl = env("REDIS_URL", RedisSettings.DEFAULT_URL);
        this.databaseUrl = env("DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
        BenchDatabase.createIfMissing(databaseUrl);
        Migrations.apply(databaseUrl, "postgres", "");
        this.redisSettings = RedisSettings.of(redisUrl)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
                .withPoolSize(64);
        this.dbSettings =
                DbSettings.of(databaseUrl, "postgres", "").withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30));
        this.admin = db();
        truncate();
    }

    /** Empties the benchmark's own database (at start, and at the end so that it holds nothing between runs). */
    void truncate() {
        admin.transaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("TRUNCATE payments, orders, releases, stock_changes, sales");
            }
            return null;
        });
    }

    /** A fresh id for a sale or a key prefix: the run's id and a counter. */
    synchronized String freshId(String kind) {
        return PREFIX + runId + "-" + kind + "-" + (++sales);
    }

    /** A Jedis pool of {@code size} connections: what the minimal script and the Redis baselines run on. */
    RedisClient pool(int size) {
        GenericObjectPoolConfig<redis.clients.jedis.Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(size);
        pool.setMaxIdle(size);
        pool.setJmxEnabled(false);
        return RedisClient.builder()
                .hostAndPort(new HostAndPort(redisSettings.uri().getHost(), redisSettings.port()))
                .clientConfig(DefaultJedisClientConfig.builder()
                        .socketTimeoutMillis(5000)
                        .clientName("tput-bench")
                        .build())
                .poolConfig(pool)
                .build();
    }

    /** One connection for INFO and checks. */
    Jedis jedis() {
        return new Jedis(redisSettings.uri().getHost(), redisSettings.port());
    }

    /** The stack's own Redis client (breaker, pool), with breakers that do not trip on a loaded laptop's slow call. */
    RedisConnection stackRedis() {
        return new RedisConnection(
                redisSettings, Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(10))), Telemetry.noop());
    }

    /** The stack's database connection (one per Lambda environment, so one per client thread here). */
    DbConnection db() {
        return new DbConnection(
                dbSettings,
                Breakers.db(BreakerSettings.ofDefaults(Duration.ofSeconds(10))),
                DbPassword.of(dbSettings),
                Telemetry.noop());
    }

    /** A plain JDBC connection in autocommit mode, as a hand-written baseline would use. */
    Connection jdbc() throws SQLException {
        Connection c = DriverManager.getConnection(databaseUrl, BenchDatabase.adminProperties());
        c.setAutoCommit(true);
        return c;
    }

    /** A live sale row with {@code stock} units (limits wide enough that only stock refuses). */
    Sale createSale(String id, long stock) {
        Instant now = Instant.now();
        Sale sale = new Sale(
                id,
                (int) Math.min(Integer.MAX_VALUE, stock),
                10,
                10,
                now.minus(Duration.ofMinutes(1)),
                now.plus(Duration.ofMinutes(20)));
        new SaleRepository(admin).create(sale, 1999, "USD");
        return sale;
    }

    /** The sale's {@code sold} column, and its orders' units. */
    long[] soldAndOrdered(String saleId) {
        return admin.transaction(c -> {
            try (var ps = c.prepareStatement(
                    "SELECT s.sold, s.stock, (SELECT COALESCE(SUM(quantity), 0) FROM orders o WHERE o.sale_id = s.id) "
                            + "FROM sales s WHERE s.id = ?")) {
                ps.setString(1, saleId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
                }
            }
        });
    }

    /** Removes keys (UNLINK: freed off the main thread). */
    void unlink(List<String> keys) {
        try (Jedis j = jedis()) {
            j.unlink(keys.toArray(String[]::new));
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    @Override
    public void close() {
        truncate();
        admin.close();
    }
}
