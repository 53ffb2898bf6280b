package dev.flashsale.testing;

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
 * {@code REPLICATE} (no {@code redis-cli} needed), and ready ({@code cluster_state:ok} on every node) when
 * {@link #start} returns. The servers are {@link RedisProcess}es: the machine's {@code redis-server}, else the bundled
 * one. {@code scripts/redis-cluster.sh} starts the same shape from a shell.
 */
public final class RedisCluster implements AutoCloseable {

    private static final int SLOTS = 16_384;

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
        List<RedisProcess> replicas = new ArrayList<>();
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

    private static RedisProcess node(Path dir, String name) {
        return RedisProcess.start(List.of(
                "cluster-enabled yes",
                "cluster-node-timeout 2000",
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
