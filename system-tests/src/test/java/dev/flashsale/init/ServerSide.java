package dev.flashsale.init;

import dev.flashsale.redis.RedisSettings;
import dev.flashsale.testing.TestDatabase;
import dev.flashsale.testing.TestRedis;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntSupplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ClientKillParams;

/**
 * What a SnapStart restore does to old sockets, done from the servers' side: Redis connections found by client name
 * ({@code REDIS_CLIENT_NAME}) and PostgreSQL backends by application name ({@code ApplicationName} in the JDBC URL).
 */
public final class ServerSide {

    private ServerSide() {}

    /** A name unique to one simulated execution environment. */
    public static String newName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The test database URL tagged with {@code applicationName}. */
    public static String databaseUrl(String applicationName) {
        String url = TestDatabase.settings().url();
        return url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + applicationName;
    }

    public static int redisClients(String clientName) {
        return redisClientIds(clientName).size();
    }

    /** Kills every Redis connection named {@code clientName}; returns how many. */
    public static int killRedisClients(String clientName) {
        int killed = 0;
        try (Jedis admin = admin()) {
            for (String id : redisClientIds(clientName)) {
                killed += (int)
                        admin.clientKill(ClientKillParams.clientKillParams().id(id));
            }
        }
        return killed;
    }

    private static List<String> redisClientIds(String clientName) {
        List<String> ids = new ArrayList<>();
        try (Jedis admin = admin()) {
            for (String line : admin.clientList().split("\n")) {
                if (line.contains(" name=" + clientName + " ")) {
                    int at = line.indexOf("id=") + 3;
                    ids.add(line.substring(at, line.indexOf(' ', at)));
                }
            }
        }
        return ids;
    }

    private static Jedis admin() {
        RedisSettings s = TestRedis.settings();
        return new Jedis(s.uri().getHost(), s.port());
    }

    public static int dbBackends(String applicationName) {
        return db("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", applicationName);
    }

    /** Terminates every PostgreSQL backend of {@code applicationName}; returns how many. */
    public static int killDbBackends(String applicationName) {
        return db(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?",
                applicationName);
    }

    private static int db(String sql, String applicationName) {
        try (Connection c = TestDatabase.jdbc();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits (up to 5 s) until {@code count} reaches 0: a closed socket reaches the server a moment later. */
    public static int awaitZero(IntSupplier count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int n = count.getAsInt();
        while (n > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            n = count.getAsInt();
        }
        return n;
    }
}
