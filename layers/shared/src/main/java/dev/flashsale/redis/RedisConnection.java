package dev.flashsale.redis;

import dev.flashsale.net.LazyClient;
import dev.flashsale.resilience.BreakerSettings;
import dev.flashsale.resilience.Breakers;
import dev.flashsale.resilience.DependencyUnavailableException;
import dev.flashsale.telemetry.Telemetry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
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
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The execution environment's Redis client. Closed before a SnapStart snapshot (sockets do not survive a restore) and
 * reopened on first use afterwards.
 */
public final class RedisConnection implements Resource, AutoCloseable {

    /** Server replies that mean "this node cannot serve now" (failover, loading, overload), not a bug of ours. */
    private static final String[] UNAVAILABLE_REPLIES = {
        "READONLY", "LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "OOM"
    };

    /**
     * Waits before the retries of a call a cluster answered {@code TRYAGAIN}: its slot is being moved to another node
     * (resharding) and the call's keys are split between the two for a moment. 70 ms in all, well within a request.
     */
    private static final long[] TRY_AGAIN_PAUSES_MS = {10, 20, 40};

    /**
     * Promises made from Redis (new holds, and the transfers between buckets they borrow) by whether a replica
     * acknowledged them in time; see {@link ReplicaAck}.
     */
    public static final String REPLICA_ACKS = "flashsale.redis.replica_acks";

    private final RedisSettings settings;
    private final CircuitBreaker breaker;
    private final SlotBreakers breakers;
    private final LongAdder calls = new LongAdder();
    private final Telemetry telemetry;
    private final Attributes spanAttributes;
    private final LazyClient<UnifiedJedis> client = new LazyClient<>(this::open, UnifiedJedis::close);

    /**
     * @param breaker   the {@code redis} breaker ({@link Breakers#redis})
     * @param telemetry spans for {@link #eval} calls, and the breaker's state transitions counted
     */
    public RedisConnection(RedisSettings settings, CircuitBreaker breaker, Telemetry telemetry) {
        this.settings = settings;
        this.breaker = breaker;
        this.breakers = new SlotBreakers(breaker, settings.clusterMode(), telemetry::watch);
        this.telemetry = telemetry;
        this.spanAttributes = Attributes.builder()
                .put("db.system", "redis")
                .put("db.system.name", "redis")
                .put("server.address", String.valueOf(settings.uri().getHost()))
                .put("server.port", settings.port())
                .build();
        telemetry.watch(breaker);
    }

    /** A client with a default {@code redis} breaker and no telemetry (tools and tests). */
    public static RedisConnection create(RedisSettings settings) {
        return new RedisConnection(
                settings, Breakers.redis(BreakerSettings.ofDefaults(RedisAccess.SLOW_CALL)), Telemetry.noop());
    }

    /**
     * Whether {@code e} is an outage of Redis, counted by the breaker: {@link #isUnavailable} but a slot being moved
     * ({@code TRYAGAIN}), which concerns one slot, not the server, and passes within moments.
     */
    public static boolean isOutage(Throwable e) {
        return isUnavailable(e) && !isSlotMoving(e);
    }

    /** A cluster's {@code TRYAGAIN}: the call's slot is being migrated and its keys are not all on one node yet. */
    static boolean isSlotMoving(Throwable e) {
        return e instanceof JedisDataException
                && e.getMessage() != null
                && e.getMessage().startsWith("TRYAGAIN");
    }

    /** Whether {@code e} means Redis could not serve (answered 503; counted by the breaker if {@link #isOutage}). */
    public static boolean isUnavailable(Throwable e) {
        if (e instanceof JedisConnectionException || e instanceof JedisClusterOperationException) {
            return true;
        }
        if (e instanceof JedisDataException && e.getMessage() != null) {
            for (String reply : UNAVAILABLE_REPLIES) {
                if (e.getMessage().startsWith(reply)) {
                    return true;
                }
            }
            return false;
        }
        // pool exhausted: every connection is busy with a slow server
        return e instanceof JedisException && e.getCause() instanceof java.util.NoSuchElementException;
    }

    /** The breaker of calls without a key (on one node: of every call). */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** The breaker calls on {@code key} go through: in a cluster, its slot's ({@link SlotBreakers}). */
    public CircuitBreaker breakerFor(String key) {
        return breakers.forKey(key);
    }

    /** Where this connection's spans and counters go (a counter of what its callers do in Redis, too). */
    public Telemetry telemetry() {
        return telemetry;
    }

    public RedisSettings settings() {
        return settings;
    }

    /**
     * Runs one Redis call through the {@code redis} circuit breaker. While the breaker is open the call fails at once;
     * a connection failure, timeout or "cannot serve now" reply becomes {@link DependencyUnavailableException} (503);
     * other errors (a script bug, a wrong type) stay as they are (500) and do not count against Redis. A command on a key
     * goes through {@link #call(String, Function)} instead, so that in a cluster it meets its own slot's breaker.
     */
    public <T> T call(Function<UnifiedJedis, T> command) {
        return through(breaker, command);
    }

    /**
     * {@link #call} for a command on {@code key} (or on keys of its hash slot): in a cluster it goes through the breaker
     * of that slot, so an outage of one shard refuses only the calls that shard would serve.
     */
    public <T> T call(String key, Function<UnifiedJedis, T> command) {
        return through(breakers.forKey(key), command);
    }

    /** A script's keys share one slot (the scripts are written so): its first key's breaker. */
    private <T> T scriptCall(List<String> keys, Function<UnifiedJedis, T> command) {
        return keys.isEmpty() ? call(command) : call(keys.get(0), command);
    }

    private <T> T through(CircuitBreaker breaker, Function<UnifiedJedis, T> command) {
        calls.increment();
        try {
            return Breakers.call(
                    breaker,
                    () -> retryingWhileSlotMoves(command),
                    () -> new DependencyUnavailableException(
                            "redis", Breakers.retryAfter(breaker), "redis circuit breaker is open", null));
        } catch (RuntimeException e) {
            if (!(e instanceof DependencyUnavailableException) && isUnavailable(e)) {
                throw new DependencyUnavailableException(
                        "redis", Breakers.retryAfter(breaker), "redis unavailable: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private <T> T retryingWhileSlotMoves(Function<UnifiedJedis, T> command) {
        for (int attempt = 0; ; attempt++) {
            try {
                return command.apply(client());
            } catch (JedisDataException e) {
                if (!isSlotMoving(e) || attempt == TRY_AGAIN_PAUSES_MS.length) {
                    throw e;
                }
                try {
                    Thread.sleep(TRY_AGAIN_PAUSES_MS[attempt]);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Runs a Lua script through {@link #call}, in a client span named {@code EVALSHA <script>} (attributes
     * {@code db.system=redis}, {@code db.operation.name}, {@code flashsale.script}).
     */
    public Object eval(LuaScript script, List<String> keys, List<String> args) {
        return traced(script, () -> scriptCall(keys, c -> script.run(c, keys, args)));
    }

    /**
     * {@link #eval}, then, when {@code ack} asks for replicas, {@code WAIT} on the same connection in the same round
     * trip (pipelined), so the buyer is answered only once the script's writes are on a replica or the timeout passed.
     * Whether a promise was made is the caller's to say ({@code promise} of the script's reply): only those count in
     * {@code flashsale.redis.replica_acks} ({@code outcome} acknowledged or timed_out).
     */
    public Replicated evalReplicated(
            LuaScript script, List<String> keys, List<String> args, ReplicaAck ack, Predicate<Object> promise) {
        if (!ack.enabled()) {
            return new Replicated(eval(script, keys, args), true);
        }
        Replicated result = traced(script, () -> scriptCall(keys, c -> script.runAndWait(c, keys, args, ack)));
        if (promise.test(result.reply())) {
            telemetry.count(REPLICA_ACKS, result.acknowledged() ? "acknowledged" : "timed_out", 1);
        }
        return result;
    }

    /** A script's reply, and whether the replicas asked for had its writes when it was answered. */
    public record Replicated(Object reply, boolean acknowledged) {}

    private <T> T traced(LuaScript script, Supplier<T> work) {
        if (!telemetry.tracing()) {
            return work.get();
        }
        return telemetry.span(
                "EVALSHA " + script.fileName(),
                SpanKind.CLIENT,
                spanAttributes.toBuilder()
                        .put("db.operation.name", "EVALSHA")
                        .put("flashsale.script", script.fileName())
                        .build(),
                work);
    }

    /**
     * Loads every Lua script on the server that owns {@code saleId}'s slot (any sale will do outside cluster mode), so
     * that no first call pays for a NOSCRIPT round trip.
     */
    public void loadScripts(String saleId) {
        call(c -> {
            LuaScript.loadAll(c, new SaleKeys(saleId).meta());
            return null;
        });
    }

    /** How many calls went through {@link #call} since this connection was built. */
    public long calls() {
        return calls.sum();
    }

    public UnifiedJedis client() {
        return client.get();
    }

    private UnifiedJedis open() {
        String userInfo = settings.uri().getUserInfo();
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) settings.connectTimeout().toMillis())
                .socketTimeoutMillis((int) settings.socketTimeout().toMillis())
                .ssl(settings.tls())
                .clientName(settings.clientName());
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
            return RedisClusterClient.builder()
                    .nodes(Set.of(node))
                    .clientConfig(clientConfig)
                    .poolConfig(pool)
                    .build();
        }
        return RedisClient.builder()
                .hostAndPort(node)
                .clientConfig(clientConfig)
                .poolConfig(pool)
                .build();
    }

    @Override
    public void close() {
        client.close();
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
