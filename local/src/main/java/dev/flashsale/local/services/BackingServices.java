package dev.flashsale.local.services;

import dev.flashsale.db.DbSettings;
import dev.flashsale.db.Migrations;
import dev.flashsale.local.sqs.LocalSqsServer;
import dev.flashsale.net.Ports;
import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import redis.embedded.RedisServer;

/**
 * Redis, PostgreSQL and an SQS endpoint for the local stack, each the first that works of: the URL in the
 * environment ({@code REDIS_URL}, {@code DATABASE_URL} with {@code DB_USER}/{@code DB_PASSWORD}, {@code SQS_ENDPOINT});
 * a server already listening on the default local port (Redis 6379; PostgreSQL 5432 as user {@code DB_USER} or
 * postgres, database {@code flashsale} created if missing); an embedded one (embedded Redis, embedded PostgreSQL,
 * an in-memory SQS server in process, or ElasticMQ with {@code LOCAL_SQS=elasticmq}). Migrations are applied. {@link #describe()} says which were used.
 */
public record BackingServices(
        String redisUrl,
        String redisSource,
        boolean redisCluster,
        DbSettings db,
        String dbSource,
        URI sqsEndpoint,
        String sqsSource,
        List<AutoCloseable> embedded)
        implements AutoCloseable {

    /** The in-memory SQS server when the runner started one in process (the default). */
    public Optional<LocalSqsServer> sqsServer() {
        return embedded.stream()
                .filter(LocalSqsServer.class::isInstance)
                .map(LocalSqsServer.class::cast)
                .findFirst();
    }

    /** The region of the in-memory queues' ARNs: the local stack's ({@code LocalStack}). */
    private static final String REGION = "us-east-1";

    /** A service found, and where. */
    private record Found<T>(T value, String source) {}

    /**
     * @param env          where REDIS_URL, DATABASE_URL, DB_USER, DB_PASSWORD and SQS_ENDPOINT are read (the process
     *                     environment, or a test's map)
     * @param databaseName the database on a local server on 5432
     */
    public static BackingServices resolve(Map<String, String> env, String databaseName) {
        List<AutoCloseable> embedded = new ArrayList<>();
        try {
            Found<String> redis = redis(env, embedded);
            Found<DbSettings> pg = postgres(env, databaseName, embedded);
            DbSettings db = pg.value();
            try {
                Migrations.apply(db.url(), db.user(), db.password());
            } catch (RuntimeException e) {
                throw new LocalSetupException(
                        "could not apply the migrations to " + db.redacted() + ": " + e.getMessage(), e);
            }
            Found<URI> sqs = sqs(env, embedded);
            boolean cluster = clusterEnabled(redis.value());
            return new BackingServices(
                    redis.value(),
                    redis.source() + (cluster ? " (a Redis Cluster: the cluster protocol)" : ""),
                    cluster,
                    db,
                    pg.source(),
                    sqs.value(),
                    sqs.source(),
                    embedded);
        } catch (RuntimeException e) {
            closeAll(embedded);
            throw e;
        }
    }

    private static Found<String> redis(Map<String, String> env, List<AutoCloseable> embedded) {
        Optional<String> url = value(env, "REDIS_URL");
        if (url.isPresent()) {
            ping(
                    url.get(),
                    "REDIS_URL",
                    "check that Redis runs at that address, or unset REDIS_URL to use 127.0.0.1:6379 or an embedded one");
            return new Found<>(
                    url.get(), "REDIS_URL " + RedisSettings.of(url.get()).redacted());
        }
        if (Ports.listening("127.0.0.1", 6379)) {
            ping(RedisSettings.DEFAULT_URL, "127.0.0.1:6379", "stop whatever listens on 6379 or set REDIS_URL");
            return new Found<>(RedisSettings.DEFAULT_URL, "Redis already listening on 127.0.0.1:6379");
        }
        int port = Ports.free();
        try {
            RedisServer server = RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            server.start();
            embedded.add(server::stop);
        } catch (IOException | RuntimeException e) {
            throw new LocalSetupException(
                    "No Redis: REDIS_URL is not set, nothing listens on 127.0.0.1:6379, and the embedded Redis"
                            + " did not start (" + e.getMessage()
                            + "). Fix: start a Redis 6.2+ on 127.0.0.1:6379 (e.g. `sudo apt install"
                            + " redis-server` or `brew install redis && brew services start redis`), or set REDIS_URL=redis://host:port.",
                    e);
        }
        String u = "redis://127.0.0.1:" + port;
        return new Found<>(u, "embedded Redis 6.2 on 127.0.0.1:" + port + " (in memory, gone when the runner stops)");
    }

    /** Whether the node at {@code url} is part of a Redis Cluster ({@code cluster_enabled:1} in {@code INFO cluster}). */
    private static boolean clusterEnabled(String url) {
        try (RedisConnection c = RedisConnection.create(RedisSettings.of(url)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .withPoolSize(1))) {
            return c.call(j -> j.info("cluster")).lines().anyMatch(l -> l.trim().equals("cluster_enabled:1"));
        }
    }

    /**
     * How the runner's own tools (simulator, dashboard) and the functions reach Redis: the cluster protocol when the
     * node is part of a Redis Cluster, so a sale whose slot lives on another node is followed there ({@code MOVED}).
     */
    public RedisSettings redis() {
        return RedisSettings.of(redisUrl).withClusterMode(redisCluster);
    }

    private static void ping(String url, String what, String fix) {
        RedisSettings s = RedisSettings.of(url);
        try (RedisConnection c = RedisConnection.create(
                s.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).withPoolSize(1))) {
            c.call(j -> j.ping());
        } catch (RuntimeException e) {
            throw new LocalSetupException(
                    "Redis at " + what + " does not answer PING (" + e.getMessage() + "). Fix: " + fix + ".", e);
        }
    }

    private static Found<DbSettings> postgres(
            Map<String, String> env, String databaseName, List<AutoCloseable> embedded) {
        String user = value(env, "DB_USER").orElse("postgres");
        String password = value(env, "DB_PASSWORD").orElse("");
        Optional<String> url = value(env, "DATABASE_URL");
        if (url.isPresent()) {
            DbSettings s = DbSettings.of(url.get(), user, password);
            check(
                    s,
                    "DATABASE_URL",
                    "check the URL, DB_USER and DB_PASSWORD, or unset DATABASE_URL to use 127.0.0.1:5432 or an embedded PostgreSQL");
            return new Found<>(s, "DATABASE_URL " + s.redacted() + " as " + user);
        }
        if (Ports.listening("127.0.0.1", 5432)) {
            String admin = "jdbc:postgresql://127.0.0.1:5432/postgres";
            try {
                createDatabaseIfMissing(admin, user, password, databaseName);
            } catch (SQLException e) {
                throw new LocalSetupException(
                        "PostgreSQL listens on 127.0.0.1:5432 but the runner cannot use it as user '" + user + "' ("
                                + e.getMessage()
                                + "). Fix: allow that user in (e.g. trust or a password in DB_PASSWORD; DB_USER picks the user),"
                                + " or set DATABASE_URL=jdbc:postgresql://host:port/db.",
                        e);
            }
            DbSettings s = DbSettings.of("jdbc:postgresql://127.0.0.1:5432/" + databaseName, user, password);
            return new Found<>(
                    s, "PostgreSQL already listening on 127.0.0.1:5432, database " + databaseName + " as " + user);
        }
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder().start();
        } catch (IOException | RuntimeException e) {
            throw new LocalSetupException(
                    "No PostgreSQL: DATABASE_URL is not set, nothing listens on 127.0.0.1:5432, and the embedded"
                            + " PostgreSQL did not start (" + e.getMessage()
                            + "; it needs a Linux/macOS x86-64 machine and, as root, a kernel that"
                            + " allows `unshare -U`). Fix: start PostgreSQL 14+ on 127.0.0.1:5432 (e.g. `sudo apt install postgresql`), or set"
                            + " DATABASE_URL=jdbc:postgresql://host:port/db with DB_USER and DB_PASSWORD.",
                    e);
        }
        embedded.add(pg);
        DbSettings s = DbSettings.of(pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
        return new Found<>(
                s,
                "embedded PostgreSQL on 127.0.0.1:" + pg.getPort()
                        + " (a temporary data directory, gone when the runner stops)");
    }

    private static void check(DbSettings s, String what, String fix) {
        try (Connection c = DriverManager.getConnection(s.url(), s.driverProperties())) {
            c.isValid(2);
        } catch (SQLException e) {
            throw new LocalSetupException(
                    "PostgreSQL at " + what + " (" + s.redacted() + ") refused the connection (" + e.getMessage()
                            + "). Fix: " + fix + ".",
                    e);
        }
    }

    private static void createDatabaseIfMissing(String adminUrl, String user, String password, String database)
            throws SQLException {
        if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name must be a plain lower-case identifier: " + database);
        }
        try (Connection c = DriverManager.getConnection(adminUrl, user, password);
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // created meanwhile by another runner
                throw e;
            }
        }
    }

    private static Found<URI> sqs(Map<String, String> env, List<AutoCloseable> embedded) {
        Optional<String> endpoint = value(env, "SQS_ENDPOINT");
        if (endpoint.isPresent()) {
            return new Found<>(URI.create(endpoint.get()), "SQS_ENDPOINT " + endpoint.get());
        }
        String kind = value(env, "LOCAL_SQS").orElse("memory");
        if (kind.equals("elasticmq")) {
            return elasticMq(embedded);
        }
        if (!kind.equals("memory")) {
            throw new LocalSetupException("LOCAL_SQS is memory (the default) or elasticmq, not " + kind, null);
        }
        try {
            LocalSqsServer server = LocalSqsServer.start(REGION);
            embedded.add(server);
            return new Found<>(
                    server.endpoint(),
                    "SQS in memory in process on " + server.endpoint().getAuthority()
                            + " (LOCAL_SQS=elasticmq: ElasticMQ instead)");
        } catch (IOException e) {
            throw new LocalSetupException(
                    "the in-process SQS server did not start: " + e.getMessage()
                            + ". Fix: set SQS_ENDPOINT to a running ElasticMQ or other SQS-compatible server.",
                    e);
        }
    }

    private static Found<URI> elasticMq(List<AutoCloseable> embedded) {
        SQSRestServer server;
        int port;
        try {
            server = SQSRestServerBuilder.withInterface("127.0.0.1")
                    .withDynamicPort()
                    .start();
            port = server.waitUntilStarted().localAddress().getPort();
        } catch (RuntimeException e) {
            throw new LocalSetupException(
                    "ElasticMQ (the in-process SQS) did not start: " + e.getMessage()
                            + ". Fix: set SQS_ENDPOINT to a running ElasticMQ or other SQS-compatible server.",
                    e);
        }
        // Not stopAndWait: it waits up to a minute for the functions' keep-alive SQS connections to go idle.
        embedded.add(() -> server.stopAndGetFuture().apply());
        return new Found<>(URI.create("http://127.0.0.1:" + port), "ElasticMQ in process on 127.0.0.1:" + port);
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    /** Replicas connected to the Redis in use ({@code connected_slaves} of {@code INFO replication}); 0 if unknown. */
    public int redisReplicas() {
        RedisSettings s = RedisSettings.of(redisUrl);
        try (RedisConnection c = RedisConnection.create(
                s.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).withPoolSize(1))) {
            String info = c.call(j -> j.info("replication"));
            for (String line : info.split("\\r?\\n")) {
                if (line.startsWith("connected_slaves:")) {
                    return Integer.parseInt(
                            line.substring("connected_slaves:".length()).trim());
                }
            }
        } catch (RuntimeException e) {
            // unknown: treated as none
        }
        return 0;
    }

    public String describe() {
        return "  Redis       " + redisSource + "\n  PostgreSQL  " + dbSource + " (migrations applied)\n  SQS         "
                + sqsSource;
    }

    @Override
    public void close() {
        closeAll(embedded);
    }

    private static void closeAll(List<AutoCloseable> list) {
        for (int i = list.size() - 1; i >= 0; i--) {
            try {
                list.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping an embedded service: " + e);
            }
        }
        list.clear();
    }
}
