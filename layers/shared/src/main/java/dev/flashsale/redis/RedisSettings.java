package dev.flashsale.redis;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * How to reach Redis.
 *
 * @param uri            {@code redis://[user:password@]host:port} or {@code rediss://} for TLS; default {@code redis://127.0.0.1:6379}
 * @param clusterMode    talk the cluster protocol (ElastiCache cluster mode enabled); default false
 * @param connectTimeout TCP connect timeout; default 500ms
 * @param socketTimeout  read timeout of one command; default 300ms: a reserve script runs in well under 1ms, so a
 *                       slower answer means an overloaded or failing node and the caller should fail fast
 * @param poolSize       connections per execution environment; default 4 (a Lambda environment serves one request at a
 *                       time; the local runner and tests share one client between threads)
 * @param clientName     {@code REDIS_CLIENT_NAME}, the name each connection gives itself ({@code CLIENT SETNAME}), shown
 *                       by {@code CLIENT LIST}; default {@code flashsale}
 */
public record RedisSettings(
        URI uri,
        boolean clusterMode,
        Duration connectTimeout,
        Duration socketTimeout,
        int poolSize,
        String clientName) {

    public static final String DEFAULT_URL = "redis://127.0.0.1:6379";
    public static final String DEFAULT_CLIENT_NAME = "flashsale";
    public static final Set<String> VARIABLES = Variables.of(
            "REDIS_URL",
            "REDIS_CLUSTER_MODE",
            "REDIS_CONNECT_TIMEOUT",
            "REDIS_TIMEOUT",
            "REDIS_POOL_SIZE",
            "REDIS_CLIENT_NAME");

    public RedisSettings {
        String scheme = uri.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new ConfigException("REDIS_URL must start with redis:// or rediss://, was " + uri);
        }
        if (uri.getHost() == null) {
            throw new ConfigException("REDIS_URL has no host: " + uri);
        }
        if (!clientName.matches("[!-~]{1,64}")) {
            throw new ConfigException(
                    "REDIS_CLIENT_NAME must be 1 to 64 printable ASCII characters without spaces, was '" + clientName
                            + "'");
        }
    }

    /** {@code url} with every other setting at its default (tools and tests). */
    public static RedisSettings of(String url) {
        return new RedisSettings(
                URI.create(url), false, Duration.ofMillis(500), Duration.ofMillis(300), 4, DEFAULT_CLIENT_NAME);
    }

    public RedisSettings withTimeouts(Duration connect, Duration command) {
        return new RedisSettings(uri, clusterMode, connect, command, poolSize, clientName);
    }

    public RedisSettings withClusterMode(boolean cluster) {
        return new RedisSettings(uri, cluster, connectTimeout, socketTimeout, poolSize, clientName);
    }

    public RedisSettings withPoolSize(int connections) {
        return new RedisSettings(uri, clusterMode, connectTimeout, socketTimeout, connections, clientName);
    }

    public static RedisSettings from(Config config) {
        String url = config.string("REDIS_URL", DEFAULT_URL);
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("REDIS_URL is not a URI: " + e.getMessage());
        }
        return new RedisSettings(
                uri,
                config.bool("REDIS_CLUSTER_MODE", false),
                config.duration(
                        "REDIS_CONNECT_TIMEOUT", Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofSeconds(30)),
                config.duration("REDIS_TIMEOUT", Duration.ofMillis(300), Duration.ofMillis(10), Duration.ofSeconds(30)),
                config.integer("REDIS_POOL_SIZE", 4, 1, 256),
                config.string("REDIS_CLIENT_NAME", DEFAULT_CLIENT_NAME));
    }

    public boolean tls() {
        return "rediss".equals(uri.getScheme());
    }

    public int port() {
        return uri.getPort() > 0 ? uri.getPort() : 6379;
    }

    /** The URL without credentials, for logs. */
    public String redacted() {
        return uri.getScheme() + "://" + uri.getHost() + ":" + port();
    }
}
