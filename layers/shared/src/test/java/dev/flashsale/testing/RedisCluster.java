package dev.flashsale.testing;

import dev.flashsale.redis.RedisConnection;
import dev.flashsale.redis.RedisSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.MigrateParams;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A real Redis Cluster of a test's own on loopback: {@code masters} masters (at least 3) sharing the 16,384 slots in
 * equal ranges, each with {@code replicasPerMaster} replicas, formed with {@code CLUSTER ADDSLOTS}, {@code MEET} and
 * {@code REPLICATE} (no {@code redis-cli} needed), and ready ({@code cluster_state:ok} on every node, every replica in
 * sync with its master, so that it can be promoted) when {@link #start} returns. The servers are {@link RedisProcess}es: the machine's {@code redis-server}, else the bundled
 * one. {@code scripts/redis-cluster.sh} starts the same shape from a shell.
 */
public final class RedisCluster implements AutoCloseable {

    private static final int SLOTS = 16_384;
    private static final java.util.Random RANDOM = new java.util.Random();

    private final List<RedisProcess> masters;
    private final List<RedisProcess> replicas;
    private final Path dir;
    /** Slots moved by {@link #migrateSlot}: their owner now. */
    private final Map<Integer, RedisProcess> moved = new ConcurrentHashMap<>();

    private RedisCluster(List<RedisProcess> masters, List<RedisProcess> replicas, Path dir) {
        this.masters = masters;
        this.replicas = replicas;
        this.dir = dir;
    }

    public static RedisCluster start(int masterCount, int replicasPerMaster) {
        if (masterCount < 3) {
            throw new IllegalArgumentException("a Redis Cluster needs at least 3 masters, got " + masterCount);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("flashsale-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<RedisProcess> masters = new ArrayList<>();
        List<RedisProcess> replicas = new java.util.concurrent.CopyOnWriteArrayList<>();
        RedisCluster cluster = new RedisCluster(masters, replicas, dir);
        try {
            for (int i = 0; i < masterCount; i++) {
                masters.add(node(dir, "m" + i));
            }
            for (int i = 0; i < masterCount * replicasPerMaster; i++) {
                replicas.add(node(dir, "r" + i));
            }
            for (int i = 0; i < masterCount; i++) {
                int from = SLOTS * i / masterCount;
                int to = SLOTS * (i + 1) / masterCount;
                try (Jedis j = masters.get(i).connect()) {
                    j.clusterAddSlots(IntStream.range(from, to).toArray());
                }
            }
            try (Jedis first = masters.get(0).connect()) {
                for (RedisProcess n : cluster.nodes().subList(1, cluster.nodes().size())) {
                    first.clusterMeet("127.0.0.1", n.port());
                }
            }
            for (int i = 0; i < replicas.size(); i++) {
                String masterId = nodeId(masters.get(i % masterCount));
                try (Jedis j = replicas.get(i).connect()) {
                    awaitKnown(j, masterId);
                    j.clusterReplicate(masterId);
                }
            }
            cluster.awaitReady();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * A port for a cluster node: its bus listens 10,000 above, which Redis refuses past 65,535, and which must be free
     * too. Below the ephemeral range (Linux: from 32,768) for both, so that neither collides with a client socket.
     */
    private static int nodePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 10_000 + RANDOM.nextInt(12_000);
            if (bindable(port) && bindable(port + 10_000)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port pair (p, p + 10000) found between 10000 and 32000");
    }

    private static boolean bindable(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static RedisProcess node(Path dir, String name) {
        return RedisProcess.start(
                nodePort(),
                List.of(
                        "cluster-enabled yes",
                        "cluster-node-timeout 2000",
                        // a replica's first full sync starts at once (Redis 7 waits 5 s for more replicas to share it):
                        // a
                        // replica that has not synced cannot be promoted
                        "repl-diskless-sync-delay 0",
                        "cluster-config-file " + dir.resolve("nodes-" + name + ".conf"),
                        "dir " + dir));
    }

    private static String nodeId(RedisProcess p) {
        try (Jedis j = p.connect()) {
            return j.clusterMyId();
        }
    }

    private static void awaitKnown(Jedis j, String nodeId) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!j.clusterNodes().contains(nodeId)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + nodeId + " not known by its replica within 20 s");
            }
            pause();
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (RedisProcess r : replicas) {
            try (Jedis j = r.connect()) {
                while (!j.info("replication").contains("master_link_status:up")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("replica :" + r.port() + " did not sync within 30 s");
                    }
                    pause();
                }
            }
        }
        for (RedisProcess n : nodes()) {
            try (Jedis j = n.connect()) {
                while (!j.clusterInfo().contains("cluster_state:ok")
                        || !j.clusterInfo().contains("cluster_known_nodes:" + nodes().size())) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the cluster did not become ready within 30 s: "
                                + j.clusterInfo().lines().limit(3).toList());
                    }
                    pause();
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<RedisProcess> nodes() {
        List<RedisProcess> all = new ArrayList<>(masters);
        all.addAll(replicas);
        return all;
    }

    public List<RedisProcess> masters() {
        return masters;
    }

    /**
     * A client of the whole cluster (the cluster protocol, from the first master), with a pool for concurrency tests and
     * a breaker that counts a call as slow only after 30 s, as {@link TestRedis#connect()}; close it when done.
     */
    public RedisConnection client() {
        return TestRedis.connect(RedisSettings.of(url())
                .withClusterMode(true)
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withPoolSize(32));
    }

    /** The first master's URL: what {@code REDIS_URL} names (a client finds the other nodes from it). */
    public String url() {
        return masters.get(0).url();
    }

    /** The master that owns {@code key}'s slot (its hash tag's, when it has one). */
    public RedisProcess ownerOf(String key) {
        return ownerOf(JedisClusterCRC16.getSlot(key));
    }

    public RedisProcess ownerOf(int slot) {
        RedisProcess now = moved.get(slot);
        if (now != null) {
            return now;
        }
        int i = 0;
        while (slot >= SLOTS * (i + 1) / masters.size()) {
            i++;
        }
        return masters.get(i);
    }

    /**
     * After a master died and its replica took over: starts a new node and makes it a replica of the master that now
     * serves {@code key}'s slot, as ElastiCache replaces a failed node. Returns once the cluster is ok again and the new
     * replica is in sync.
     */
    public RedisProcess replaceFailedNodeFor(String key) {
        int slot = JedisClusterCRC16.getSlot(key);
        RedisProcess live =
                nodes().stream().filter(RedisProcess::alive).findFirst().orElseThrow();
        long deadline = System.nanoTime() + 30_000_000_000L;
        String masterId;
        try (Jedis j = live.connect()) {
            // until a live master serves the slot (right after a kill, the cluster still names the dead one)
            while ((masterId = servingMaster(j.clusterNodes(), slot, livePorts())) == null
                    || !j.clusterInfo().contains("cluster_state:ok")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no master took over slot " + slot + " within 30 s");
                }
                pause();
            }
        }
        RedisProcess replica = node(dir, "x" + replicas.size());
        replicas.add(replica);
        try (Jedis j = live.connect()) {
            j.clusterMeet("127.0.0.1", replica.port());
        }
        try (Jedis j = replica.connect()) {
            awaitKnown(j, masterId);
            j.clusterReplicate(masterId);
            while (!j.info("replication").contains("master_link_status:up")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the new replica did not sync within 30 s");
                }
                pause();
            }
        }
        return replica;
    }

    private java.util.Set<String> livePorts() {
        java.util.Set<String> ports = new java.util.HashSet<>();
        for (RedisProcess n : nodes()) {
            if (n.alive()) {
                ports.add(Integer.toString(n.port()));
            }
        }
        return ports;
    }

    /**
     * The id of the master on one of {@code livePorts} whose slot ranges in a {@code CLUSTER NODES} reply contain
     * {@code slot}, or null.
     */
    private static String servingMaster(String clusterNodes, int slot, java.util.Set<String> livePorts) {
        for (String line : clusterNodes.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                continue;
            }
            String port = f[1].substring(f[1].lastIndexOf(':') + 1).split("@")[0];
            if (!livePorts.contains(port)) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                String[] range = f[i].split("-");
                if (range[0].startsWith("[")) {
                    continue; // a slot being migrated
                }
                int from = Integer.parseInt(range[0]);
                int to = range.length == 2 ? Integer.parseInt(range[1]) : from;
                if (slot >= from && slot <= to) {
                    return f[0];
                }
            }
        }
        return null;
    }

    /**
     * Moves {@code slot} to {@code target} while clients use it, as {@code redis-cli --cluster reshard} does: the target
     * {@code IMPORTING}, the owner {@code MIGRATING}, the slot's keys moved {@code batch} at a time with {@code MIGRATE}
     * ({@code pause} between batches: clients meanwhile get {@code ASK} and {@code TRYAGAIN}), then the slot assigned to
     * the target on every master.
     *
     * @return how many keys moved
     */
    public int migrateSlot(int slot, RedisProcess target, int batch, Duration pause) {
        RedisProcess source = ownerOf(slot);
        if (source == target) {
            throw new IllegalArgumentException("slot " + slot + " is on that node already");
        }
        String sourceId = nodeId(source);
        String targetId = nodeId(target);
        int keys = 0;
        try (Jedis to = target.connect();
                Jedis from = source.connect()) {
            to.clusterSetSlotImporting(slot, sourceId);
            from.clusterSetSlotMigrating(slot, targetId);
            while (true) {
                List<String> batchKeys = from.clusterGetKeysInSlot(slot, batch);
                if (batchKeys.isEmpty()) {
                    break;
                }
                from.migrate(
                        "127.0.0.1",
                        target.port(),
                        0,
                        5_000,
                        MigrateParams.migrateParams(),
                        batchKeys.toArray(String[]::new));
                keys += batchKeys.size();
                sleep(pause);
            }
            to.clusterSetSlotNode(slot, targetId);
            from.clusterSetSlotNode(slot, targetId);
        }
        for (RedisProcess m : masters) {
            if (m != source && m != target) {
                try (Jedis j = m.connect()) {
                    j.clusterSetSlotNode(slot, targetId);
                }
            }
        }
        moved.put(slot, target);
        return keys;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (RedisProcess n : nodes()) {
            try {
                n.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp dir left behind
        }
        if (failure != null) {
            throw failure;
        }
    }
}
