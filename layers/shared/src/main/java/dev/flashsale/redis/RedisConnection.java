package dev.flashsale.redis;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.crac.Context;
import org.crac.Resource;

import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

import dev.flashsale.resilience.DependencyUnavailableException;

/**
 * The execution environment's Redis client. Closed before a SnapStart snapshot (sockets do not survive a restore) and
 * reopened on first use afterwards.
 */
public final class RedisConnection implements Resource, AutoCloseable {

    private final RedisSettings settings;
    private final LongAdder calls = new LongAdder();
    private volatile UnifiedJedis client;

    public RedisConnection(RedisSettings settings) {
        this.settings = settings;
    }

    public RedisSettings settings() {
        return settings;
    }

    /**
     * Runs one Redis call; a connection failure or timeout becomes {@link DependencyUnavailableException} (503), while
     * errors the server reports (a script bug, a wrong type) stay as they are (500).
     */
    public <T> T call(Function<UnifiedJedis, T> command) {
        calls.increment();
        try {
            return command.apply(client());
        } catch (JedisConnectionException e) {
            throw new DependencyUnavailableException("redis", Duration.ofSeconds(1), "redis unavailable: " + e.getMessage(), e);
        }
    }

    /** How many calls went through {@link #call} since this connection was built. */
    public long calls() {
        return calls.sum();
    }

    public UnifiedJedis client() {
        UnifiedJedis c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = open();
                    client = c;
                }
            }
        }
        return c;
    }

    private UnifiedJedis open() {
        String userInfo = settings.uri().getUserInfo();
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
                .socketTimeoutMillis((int) settings.socketTimeout().toMillis())
                .ssl(settings.tls())
                .clientName("flashsale");
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                String user = userInfo.substring(0, colon);
                if (!user.isEmpty()) {
                    cfg.user(user);
                }
                cfg.password(userInfo.substring(colon + 1));
            } else {
                cfg.password(userInfo);
            }
        }
        JedisClientConfig clientConfig = cfg.build();
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(settings.poolSize());
        pool.setMaxIdle(settings.poolSize());
        pool.setMinIdle(0);
        pool.setJmxEnabled(false);
        pool.setMaxWait(settings.connectTimeout().plus(settings.socketTimeout()));
        HostAndPort node = new HostAndPort(settings.uri().getHost(), settings.port());
        if (settings.clusterMode()) {
            return RedisClusterClient.builder().nodes(Set.of(node)).clientConfig(clientConfig).poolConfig(pool).build();
        }
        return RedisClient.builder().hostAndPort(node).clientConfig(clientConfig).poolConfig(pool).build();
    }

    @Override
    public synchronized void close() {
        UnifiedJedis c = client;
        client = null;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        close();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // reopened lazily by the first call to client()
    }
}
