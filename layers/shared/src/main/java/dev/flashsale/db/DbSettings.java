package dev.flashsale.db;

import dev.flashsale.config.Config;
import dev.flashsale.config.ConfigException;
import dev.flashsale.config.Variables;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * How to reach PostgreSQL (Aurora behind RDS Proxy in AWS).
 *
 * @param url            {@code DATABASE_URL}, a {@code jdbc:postgresql://host:port/db[?sslmode=...]} URL; default
 *                       {@code jdbc:postgresql://127.0.0.1:5432/flashsale}
 * @param user           {@code DB_USER}; default {@code postgres}
 * @param password       {@code DB_PASSWORD}; default empty (trust auth locally; in AWS the secret's value)
 * @param connectTimeout {@code DB_CONNECT_TIMEOUT}, TCP connect and login; default 3s (whole seconds, rounded up)
 * @param socketTimeout  {@code DB_SOCKET_TIMEOUT}, the longest wait for one answer before the connection is treated as
 *                       broken; default 10s (whole seconds, rounded up)
 * @param iamAuth        {@code DB_IAM_AUTH}: log in with an RDS IAM authentication token (signed locally for
 *                       {@code user} at the URL's host and port, a fresh one per new connection) instead of
 *                       {@code DB_PASSWORD}, over TLS ({@code sslmode=require} unless the URL sets an sslmode); default
 *                       false. RDS Proxy with {@code IAMAuth: REQUIRED} accepts nothing else.
 * @param region         {@code AWS_REGION}, the region the token is signed for; default us-east-1 (Lambda sets it)
 */
public record DbSettings(
        String url,
        String user,
        String password,
        Duration connectTimeout,
        Duration socketTimeout,
        boolean iamAuth,
        String region) {

    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/flashsale";
    public static final Set<String> VARIABLES = Variables.of(
            "DATABASE_URL",
            "DB_USER",
            "DB_PASSWORD",
            "DB_CONNECT_TIMEOUT",
            "DB_SOCKET_TIMEOUT",
            "DB_IAM_AUTH",
            "AWS_REGION");

    public DbSettings {
        if (url == null || !url.startsWith("jdbc:postgresql://")) {
            throw new ConfigException("DATABASE_URL must start with jdbc:postgresql://, was " + redact(url));
        }
    }

    /** Password login (no IAM) with the default timeouts (tools and tests). */
    public static DbSettings of(String url, String user, String password) {
        return new DbSettings(url, user, password, Duration.ofSeconds(3), Duration.ofSeconds(10), false, "us-east-1");
    }

    public DbSettings withTimeouts(Duration connect, Duration statement) {
        return new DbSettings(url, user, password, connect, statement, iamAuth, region);
    }

    public static DbSettings from(Config config) {
        return new DbSettings(
                config.string("DATABASE_URL", DEFAULT_URL),
                config.string("DB_USER", "postgres"),
                config.string("DB_PASSWORD", ""),
                config.duration(
                        "DB_CONNECT_TIMEOUT", Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(60)),
                config.duration(
                        "DB_SOCKET_TIMEOUT", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(5)),
                config.bool("DB_IAM_AUTH", false),
                config.string("AWS_REGION", "us-east-1"));
    }

    /**
     * Driver properties. Nothing here creates session state on the server, so RDS Proxy can multiplex the
     * connection: {@code prepareThreshold=0} keeps every statement unnamed (named server-side prepared statements pin),
     * and no SET is ever sent (isolation stays the server default, READ COMMITTED).
     */
    public Properties driverProperties() {
        return driverProperties(password);
    }

    /** As {@link #driverProperties()}, logging in with {@code loginPassword} (an IAM token); TLS is required then. */
    public Properties driverProperties(String loginPassword) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (!loginPassword.isEmpty()) {
            p.setProperty("password", loginPassword);
        }
        if (iamAuth) {
            // a setting in the URL (e.g. sslmode=verify-full) wins over this property
            p.setProperty("sslmode", "require");
        }
        p.setProperty("prepareThreshold", "0");
        p.setProperty("preparedStatementCacheQueries", "0");
        p.setProperty("connectTimeout", Long.toString(seconds(connectTimeout)));
        p.setProperty("loginTimeout", Long.toString(seconds(connectTimeout)));
        p.setProperty("socketTimeout", Long.toString(seconds(socketTimeout)));
        p.setProperty("tcpKeepAlive", "true");
        return p;
    }

    /** The URL without query parameters (which may carry credentials), for logs. */
    public String redacted() {
        return redact(url);
    }

    private static String redact(String url) {
        if (url == null) {
            return "null";
        }
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
