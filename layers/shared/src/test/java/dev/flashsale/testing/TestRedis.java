package dev.flashsale.testing;

import dev.flashsale.config.Config;
import dev.flashsale.net.Ports;
import dev.flashsale.redis.RedisAccess;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.telemetry.Telemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import redis.embedded.RedisServer;

/**
 * The Redis the tests use: {@code REDIS_URL} if set, else a server on 127.0.0.1:6379 if one answers, else an embedded
 * Redis started once for the whole test JVM. Tests isolate themselves by using fresh sale ids, never by flushing. With
 * {@code REDIS_CLUSTER_MODE=true} {@code REDIS_URL} names a node of a Redis Cluster and every client (the tests' and the
 * functions' they start) speaks the cluster protocol: {@code scripts/redis-cluster.sh} starts one on loopback.
 */
public final class TestRedis {

    private static final String URL = resolve();
    private static final boolean CLUSTER = "true".equalsIgnoreCase(System.getenv("REDIS_CLUSTER_MODE"));
    private static RedisServer embedded;

    private TestRedis() {}

    private static String resolve() {
        String env = System.getenv("REDIS_URL");
        if (env != null && !env.isBlank()) {
            return env;
        }
        if (Ports.listening("127.0.0.1", 6379)) {
            return RedisSettings.DEFAULT_URL;
        }
        int port = Ports.free();
        try {
            embedded = RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            embedded.start();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "no Redis at REDIS_URL or 127.0.0.1:6379, and the embedded one did not start", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(TestRedis::stopEmbedded));
        System.err.println("[test] started embedded Redis on 127.0.0.1:" + port);
        return "redis://127.0.0.1:" + port;
    }

    private static void stopEmbedded() {
        try {
            embedded.stop();
        } catch (IOException ignored) {
            // the JVM is exiting
        }
    }

    public static String url() {
        return URL;
    }

    public static RedisSettings settings() {
        return RedisSettings.of(URL).withClusterMode(CLUSTER);
    }

    /** Whether the tests run against a Redis Cluster ({@code REDIS_CLUSTER_MODE=true}). */
    public static boolean cluster() {
        return CLUSTER;
    }

    /**
     * A new client with a pool big enough for concurrency tests; close it when done. Its breaker counts a call as slow
     * only after 30 s: on a shared, loaded test machine 16 threads opening their first connections at once take longer
     * than the production 200 ms, and that is load, not an outage (tests of the breakers configure their own).
     */
    public static RedisConnection connect() {
        return connect(settings().withPoolSize(64));
    }

    /** {@link #connect()}'s client for {@code settings} (2 s command timeout, the patient breaker): another server. */
    public static RedisConnection connect(RedisSettings settings) {
        return new RedisConnection(
                settings.withTimeouts(settings.connectTimeout(), Duration.ofSeconds(2)),
                Breakers.redis(BreakerSettings.ofDefaults(Duration.ofSeconds(30))),
                Telemetry.noop());
    }

    /** A client as a function's wiring builds it from {@code config} ({@code REDIS_*}, {@code BREAKER_REDIS_*}), no telemetry. */
    public static RedisConnection connect(Config config) {
        RedisAccess access = RedisAccess.from(config);
        return new RedisConnection(access.settings(), Breakers.redis(access.breaker()), Telemetry.noop());
    }
}
