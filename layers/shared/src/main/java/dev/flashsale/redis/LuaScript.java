package dev.flashsale.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * Every Lua script of the stack, each kept as a classpath resource {@code /scripts/<name>.lua} that names its
 * {@code KEYS} and {@code ARGV} at the top. Its SHA-1 is computed locally, so a call is a single EVALSHA; the source is
 * sent again only when the server answers NOSCRIPT (restart, failover, SCRIPT FLUSH). {@link #loadAll} puts every
 * script on a server ahead of the first call (priming, prewarm).
 */
public enum LuaScript {
    /** Take a hold, or replay a key (reservation path). */
    RESERVE("reserve"),
    /** Give back a hold whose confirmation could not be queued. */
    CANCEL_HOLD("cancel-hold"),
    /** HELD → CLAIMED for a confirmer, or a claim renewed. */
    CLAIM("claim"),
    /** {@link #CLAIM} for many reservations of one sale in one call (a confirmer's batch). */
    CLAIM_BATCH("claim-batch"),
    /** Redis follows the database's decision for a HELD or CLAIMED reservation. */
    SETTLE("settle"),
    /** {@link #SETTLE} for many reservations of one sale in one call (a confirmer's batch). */
    SETTLE_BATCH("settle-batch"),
    /** Ids whose deadline has passed in a holds or claims set. */
    DUE("due"),
    /** A sale's definition and, if absent, its stock counter. */
    LOAD_SALE("load-sale"),
    /** A sale's definition and counter set from the database (reconciliation). */
    SYNC_SALE("sync-sale"),
    /** Records and key mappings of confirmed orders that Redis lost, restored (reconciliation). */
    RESTORE_ORDERS("restore-orders"),
    /** Redis follows the database's cancellation of orders: their units back in stock, once. */
    RETURN_UNITS("return-units"),
    /** Units lent by one bucket of a split sale to another, journalled (the first half of a transfer). */
    LEND("lend"),
    /** Units a bucket of a split sale was lent, taken once per transfer (the second half). */
    ACCEPT("accept"),
    /** Redis follows a stock increase. */
    ADD_STOCK("add-stock"),
    /** A buyer's place in a ticketed sale's queue (one per buyer, arrival order). */
    QUEUE_JOIN("queue-join"),
    /** A ticketed sale's admission moved forward, and a buyer's place or the gate read. */
    QUEUE_ADMIT("queue-admit"),
    /** Extend a lease the caller still owns. */
    LEASE_RENEW("lease-renew"),
    /** Drop a lease (or lock) the caller still owns. */
    LEASE_RELEASE("lease-release");

    private final String fileName;
    private final String source;
    private final String sha;

    LuaScript(String fileName) {
        this.fileName = fileName;
        this.source = read("/scripts/" + fileName + ".lua");
        this.sha = sha1(source);
    }

    /** The script's file name without {@code .lua}, e.g. {@code reserve}; spans are named after it. */
    public String fileName() {
        return fileName;
    }

    public String sha() {
        return sha;
    }

    /**
     * Loads every script into the server that owns {@code sampleKey}'s slot (any key of a sale will do), so that no
     * first call pays for a NOSCRIPT round trip.
     */
    public static void loadAll(UnifiedJedis redis, String sampleKey) {
        for (LuaScript script : values()) {
            String loaded = redis.scriptLoad(script.source, sampleKey);
            if (!script.sha.equals(loaded)) {
                throw new IllegalStateException(
                        "server SHA " + loaded + " differs from local " + script.sha + " for " + script.fileName);
            }
        }
    }

    public Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(source, keys, args);
        }
    }

    /**
     * Runs the script and {@code WAIT}s for {@code ack.replicas()} replicas (at most {@code ack.timeout()}) in one
     * pipelined round trip on one connection: WAIT counts the replicas that have this connection's writes.
     */
    RedisConnection.Replicated runAndWait(UnifiedJedis redis, List<String> keys, List<String> args, ReplicaAck ack) {
        RedisConnection.Replicated first;
        try {
            first = pipelined(redis, keys, ack, p -> p.evalsha(sha, keys, args));
        } catch (JedisConnectionException e) {
            // a cluster's pipeline goes where its slot map says and, unlike a single command, never refreshes the map:
            // after a failover it would keep calling the dead master. The next call goes to the slot's new master.
            refreshTopology(redis);
            throw e;
        }
        if (first.reply() instanceof JedisRedirectionException) {
            // MOVED: the slot has another master now (a failover, a resharding), not yet in the pipeline's map
            refreshTopology(redis);
            first = pipelined(redis, keys, ack, p -> p.evalsha(sha, keys, args));
        }
        if (first.reply() instanceof JedisDataException e
                && e.getMessage() != null
                && e.getMessage().startsWith("NOSCRIPT")) {
            return pipelined(redis, keys, ack, p -> p.eval(source, keys, args));
        }
        if (first.reply() instanceof RuntimeException e) {
            throw e;
        }
        return first;
    }

    private static void refreshTopology(UnifiedJedis redis) {
        if (redis instanceof RedisClusterClient cluster) {
            cluster.refreshClusterTopology();
        }
    }

    /** The script's reply (or its error, for the caller to look at) and whether WAIT saw enough replicas. */
    private static RedisConnection.Replicated pipelined(
            UnifiedJedis redis,
            List<String> keys,
            ReplicaAck ack,
            Function<AbstractPipeline, Response<Object>> script) {
        try (AbstractPipeline p = redis.pipelined()) {
            Response<Object> reply = script.apply(p);
            Response<Long> replicas =
                    p.waitReplicas(keys.get(0), ack.replicas(), ack.timeout().toMillis());
            p.sync();
            Object value;
            try {
                value = reply.get();
            } catch (JedisDataException e) {
                value = e;
            } catch (IllegalStateException e) {
                // a cluster pipeline whose node connection broke logs the error and leaves its responses unset
                throw new JedisConnectionException("the pipelined call's connection failed", e);
            }
            try {
                return new RedisConnection.Replicated(value, replicas.get() >= ack.replicas());
            } catch (IllegalStateException e) {
                throw new JedisConnectionException("the pipelined WAIT's connection failed", e);
            }
        }
    }

    private static String read(String path) {
        try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
