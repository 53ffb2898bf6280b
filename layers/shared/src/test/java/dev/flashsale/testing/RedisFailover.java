package dev.flashsale.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/**
 * A Redis primary and its replica as two real {@code redis-server} processes on loopback, failed over the way a managed
 * Redis (ElastiCache with Multi-AZ) does it, so that tests can lose the writes a real failover loses:
 * <ul>
 *   <li>clients reach "the primary endpoint", a {@link FaultProxy} ({@link #url()}); a failover moves it to the
 *       promoted replica and cuts every open connection, as the endpoint's DNS name is moved;</li>
 *   <li>each replica replicates through a proxy of its own (the replication link), so that the link can be cut
 *       ({@link #cutReplication()}): the replica stops hearing of writes (and the primary of its acknowledgements, so
 *       {@code WAIT} times out) while the primary keeps taking them, which the failover then loses;</li>
 *   <li>{@link #failover()}: the replication links freeze (the primary is dying), the primary is killed with SIGKILL,
 *       the replica is promoted ({@code REPLICAOF NO ONE}) and the endpoint is moved to it. Other replicas, if any,
 *       follow the new primary; {@link #addReplica()} gives it a fresh one (so {@code WAIT 1} can be satisfied
 *       again).</li>
 * </ul>
 * Nothing is written to disk outside a temporary directory of its own, removed by {@link #close()}, which stops every
 * process and proxy it started.
 */
public final class RedisFailover implements AutoCloseable {

    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(20);

    /** What one {@link #failover()} did: offsets in bytes of the replication stream. */
    public record Failover(
            int oldPrimaryPort, int newPrimaryPort, long primaryOffset, long promotedOffset, Duration took) {

        /** Replication bytes the primary had written and the promoted replica never got: lost with the primary. */
        public long lostBytes() {
            return Math.max(0, primaryOffset - promotedOffset);
        }
    }

    private record Node(RedisProcess process, FaultProxy link) {}

    private final Path dir;
    private final List<String> settings;
    private final FaultProxy endpoint;
    private final List<Node> replicas = new ArrayList<>();
    private final List<RedisProcess> dead = new ArrayList<>();
    private final List<FaultProxy> oldLinks = new ArrayList<>();
    private volatile RedisProcess primary;
    private int failovers;

    private RedisFailover(List<String> settings) {
        try {
            this.dir = Files.createTempDirectory("redis-failover");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.settings = List.copyOf(settings);
        this.primary = startNode(List.of());
        this.endpoint = new FaultProxy("127.0.0.1", primary.port());
    }

    /** A primary and one replica in sync, behind the primary endpoint. */
    public static RedisFailover start() {
        return start(List.of());
    }

    /** @param settings redis.conf lines for every node (e.g. {@code maxmemory 64mb}) */
    public static RedisFailover start(List<String> settings) {
        RedisFailover f = new RedisFailover(settings);
        try {
            f.addReplica();
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    private RedisProcess startNode(List<String> extra) {
        List<String> conf = new ArrayList<>();
        Path nodeDir;
        try {
            nodeDir = Files.createTempDirectory(dir, "node");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        conf.add("dir " + nodeDir);
        // full syncs stream the RDB over the socket at once, and a fresh replica loads it from the socket: no files
        conf.add("repl-diskless-sync yes");
        conf.add("repl-diskless-sync-delay 0");
        conf.add("repl-diskless-load on-empty-db");
        conf.addAll(settings);
        conf.addAll(extra);
        return RedisProcess.start(conf);
    }

    /** The primary endpoint's URL: where clients connect, before and after a failover. */
    public String url() {
        return "redis://127.0.0.1:" + endpoint.port();
    }

    /** The primary endpoint, e.g. to make it slow or refuse for a while. */
    public FaultProxy endpoint() {
        return endpoint;
    }

    public RedisProcess primary() {
        return primary;
    }

    public synchronized List<RedisProcess> replicas() {
        return replicas.stream().map(Node::process).toList();
    }

    /** A plain connection straight to the current primary (not through the endpoint); close it when done. */
    public Jedis connectPrimary() {
        return primary.connect();
    }

    public synchronized int failovers() {
        return failovers;
    }

    /**
     * Cuts every replication link: the replicas keep what they have and hear of nothing more, the primary keeps taking
     * writes and hears no acknowledgement ({@code WAIT} times out). The links stay open but silent (a partition, not a
     * disconnect), so the primary still counts its replicas as connected.
     */
    public synchronized void cutReplication() {
        replicas.forEach(n -> n.link().blackhole());
    }

    /** Whether {@link #cutReplication()} is in effect. */
    public synchronized boolean replicationCut() {
        return !replicas.isEmpty() && replicas.stream().allMatch(n -> n.link().mode() == FaultProxy.Mode.BLACKHOLE);
    }

    /** How many bytes of the replication stream the most lagging replica has not processed (0 when in sync). */
    public synchronized long replicaLagBytes() {
        if (replicas.isEmpty()) {
            throw new IllegalStateException("no replica");
        }
        long primaryOffset = offset(primary);
        long lag = 0;
        for (Node n : replicas) {
            lag = Math.max(lag, primaryOffset - offset(n.process()));
        }
        return Math.max(0, lag);
    }

    /** Waits until every replica's link is up and it has processed what the primary had written when this was called. */
    public synchronized void awaitInSync() {
        awaitInSync(SYNC_TIMEOUT);
    }

    public synchronized void awaitInSync(Duration timeout) {
        long target = offset(primary);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Node n : replicas) {
            while (true) {
                String info;
                try (Jedis j = n.process().connect()) {
                    info = j.info("replication");
                }
                boolean up = RedisProcess.field(info, "master_link_status")
                                .orElse("")
                                .equals("up")
                        && RedisProcess.field(info, "master_sync_in_progress")
                                .orElse("1")
                                .equals("0");
                if (up
                        && Long.parseLong(RedisProcess.field(info, "master_repl_offset")
                                        .orElse("-1"))
                                >= target) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "replica on port " + n.process().port() + " not in sync with the primary on port "
                                    + primary.port() + " after " + timeout + ": " + info.replace("\r\n", ", "));
                }
                sleep(10);
            }
        }
    }

    /**
     * A fresh replica of the current primary, through a replication link of its own, in sync when this returns (after
     * a failover, so that {@code WAIT 1} can be satisfied again).
     */
    public synchronized RedisProcess addReplica() {
        FaultProxy link = new FaultProxy("127.0.0.1", primary.port());
        RedisProcess p;
        try {
            p = startNode(List.of("replicaof 127.0.0.1 " + link.port()));
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
        Node n = new Node(p, link);
        replicas.add(n);
        try {
            awaitInSync();
        } catch (RuntimeException e) {
            replicas.remove(n);
            p.close();
            link.close();
            throw e;
        }
        return p;
    }

    /** {@link #failover(Consumer, Consumer)} without looking at either node. */
    public Failover failover() {
        return failover(j -> {}, j -> {});
    }

    /**
     * Fails over to the first replica, as a managed Redis does when its primary dies:
     * <ol>
     *   <li>the replication links freeze (whatever the replicas have not got yet is lost with the primary) and the
     *       primary's clients are paused for writes ({@code CLIENT PAUSE WRITE}), so that {@code lastLookAtPrimary} sees
     *       the primary exactly as it dies (what a test needs to tell which writes were lost);</li>
     *   <li>the primary is killed (SIGKILL): its clients' connections drop; new ones are reset until step 4;</li>
     *   <li>the replica is promoted ({@code REPLICAOF NO ONE}); {@code firstLookAtPromoted} sees it before any client;</li>
     *   <li>the primary endpoint is moved to it ({@link FaultProxy#retarget}); other replicas follow it.</li>
     * </ol>
     * Both callbacks get a direct connection (not through the endpoint). Afterwards the new primary has no replica of
     * its own unless there were two: see {@link #addReplica()}.
     */
    public synchronized Failover failover(Consumer<Jedis> lastLookAtPrimary, Consumer<Jedis> firstLookAtPromoted) {
        if (replicas.isEmpty()) {
            throw new IllegalStateException("no replica to fail over to");
        }
        long t0 = System.nanoTime();
        RedisProcess old = primary;
        Node promoted = replicas.remove(0);
        replicas.forEach(n -> n.link().blackhole());
        promoted.link().blackhole();
        long primaryOffset;
        try (Jedis j = old.connect()) {
            j.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "PAUSE", "30000", "WRITE");
            primaryOffset = offset(j);
            lastLookAtPrimary.accept(j);
        }
        old.kill();
        dead.add(old);
        // bytes the link had already passed on before it froze may still be being applied: wait for a stable offset
        long promotedOffset = offset(promoted.process());
        for (int stable = 0; stable < 3; ) {
            sleep(10);
            long now = offset(promoted.process());
            stable = now == promotedOffset ? stable + 1 : 0;
            promotedOffset = now;
        }
        try (Jedis j = promoted.process().connect()) {
            j.replicaofNoOne();
            long deadline = System.nanoTime() + SYNC_TIMEOUT.toNanos();
            while (!RedisProcess.field(j.info("replication"), "role").orElse("").equals("master")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "replica on port " + promoted.process().port() + " was not promoted");
                }
                sleep(5);
            }
            firstLookAtPromoted.accept(j);
        }
        promoted.link().close();
        oldLinks.add(promoted.link());
        primary = promoted.process();
        endpoint.retarget("127.0.0.1", primary.port());
        for (Node n : replicas) { // the others follow the new primary through their own links (a partial resync)
            n.link().retarget("127.0.0.1", primary.port());
            n.link().pass();
        }
        failovers++;
        return new Failover(
                old.port(), primary.port(), primaryOffset, promotedOffset, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static long offset(RedisProcess p) {
        try (Jedis j = p.connect()) {
            return offset(j);
        }
    }

    /** {@code master_repl_offset}: on a primary, what it has written to the stream; on a replica, what it has applied. */
    private static long offset(Jedis j) {
        return Long.parseLong(
                RedisProcess.field(j.info("replication"), "master_repl_offset").orElseThrow());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public synchronized void close() {
        if (endpoint != null) {
            endpoint.close();
        }
        for (Node n : replicas) {
            n.link().close();
            closeQuietly(n.process());
        }
        replicas.clear();
        oldLinks.forEach(FaultProxy::close);
        closeQuietly(primary);
        dead.forEach(RedisFailover::closeQuietly);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    private static void closeQuietly(RedisProcess p) {
        try {
            if (p != null) {
                p.close();
            }
        } catch (RuntimeException ignored) {
            // stopping anyway
        }
    }
}
