package dev.flashsale.bench.scaling;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * A Redis Cluster of {@code masters} masters (1 or more, no replicas) on loopback, for the scaling benchmark: the
 * machine's {@code redis-server} started in the foreground by this JVM (so each node is a {@link Process} with a pid
 * of ours), the 16,384 slots split in equal ranges with {@code CLUSTER ADDSLOTS}, the nodes joined with {@code MEET}.
 * {@code scripts/redis-cluster.sh} and {@code redis-cli --cluster create} need 3 masters; this needs 1.
 *
 * <p>Ports: a node's port between 23000 and 24499 and its cluster bus port ({@code cluster-port}) 1500 above, so that
 * both stay within 23000-26000, clear of CI's clusters (20000-21990) and of the ephemeral range. Start-up is bounded
 * (20 s); {@link #close} stops only the processes it started (SIGTERM, then SIGKILL after 5 s) and is also run by a
 * shutdown hook.
 */
final class LocalCluster implements AutoCloseable {

    static final int SLOTS = 16_384;
    private static final int PORT_FROM = 23_000;
    private static final int PORT_SPAN = 1_500;
    private static final int BUS_OFFSET = 1_500;
    private static final long START_NANOS = TimeUnit.SECONDS.toNanos(20);

    /** One master: its port, its process and the slot range it owns, {@code [from, to)}. */
    record Node(int port, Process process, int from, int to) {
        Jedis connect() {
            return new Jedis("127.0.0.1", port, 5_000);
        }

        boolean owns(int slot) {
            return slot >= from && slot < to;
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private final Path dir;
    private final Thread hook;

    private LocalCluster(Path dir) {
        this.dir = dir;
        this.hook = new Thread(this::stopAll, "scaling-cluster-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static LocalCluster start(int masters) throws IOException {
        if (masters < 1) {
            throw new IllegalArgumentException("masters must be >= 1, was " + masters);
        }
        Path dir = Files.createTempDirectory("scale-bench-");
        LocalCluster cluster = new LocalCluster(dir);
        try {
            long deadline = System.nanoTime() + START_NANOS;
            for (int i = 0; i < masters; i++) {
                int port = freePort(cluster.nodes);
                Path log = dir.resolve("redis-" + port + ".log");
                Process p = new ProcessBuilder(
                                "redis-server",
                                "--port",
                                Integer.toString(port),
                                "--bind",
                                "127.0.0.1",
                                "--cluster-enabled",
                                "yes",
                                "--cluster-port",
                                Integer.toString(port + BUS_OFFSET),
                                "--cluster-node-timeout",
                                "5000",
                                "--cluster-config-file",
                                dir.resolve("nodes-" + port + ".conf").toString(),
                                "--dir",
                                dir.toString(),
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--daemonize",
                                "no",
                                "--logfile",
                                log.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("stdout-" + port + ".txt").toFile())
                        .start();
                int from = SLOTS * i / masters;
                int to = SLOTS * (i + 1) / masters;
                cluster.nodes.add(new Node(port, p, from, to));
            }
            for (Node n : cluster.nodes) {
                awaitPing(n, deadline);
                try (Jedis j = n.connect()) {
                    j.clusterAddSlots(IntStream.range(n.from(), n.to()).toArray());
                }
            }
            try (Jedis first = cluster.nodes.get(0).connect()) {
                for (Node n : cluster.nodes.subList(1, masters)) {
                    // the bus port is not the default port + 10000, so MEET names it (Redis 7)
                    first.sendCommand(
                            Protocol.Command.CLUSTER,
                            "MEET",
                            "127.0.0.1",
                            Integer.toString(n.port()),
                            Integer.toString(n.port() + BUS_OFFSET));
                }
            }
            for (Node n : cluster.nodes) {
                try (Jedis j = n.connect()) {
                    while (!j.clusterInfo().contains("cluster_state:ok")
                            || j.clusterInfo()
                                    .lines()
                                    .noneMatch(l -> l.trim().equals("cluster_known_nodes:" + masters))) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("cluster of " + masters + " not ready within 20 s: "
                                    + j.clusterInfo().lines().limit(6).toList());
                        }
                        pause();
                    }
                }
            }
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    List<Node> nodes() {
        return nodes;
    }

    /** The first master's URL: the cluster client discovers the others from it. */
    String url() {
        return "redis://127.0.0.1:" + nodes.get(0).port();
    }

    /** The index of the master that owns {@code slot}. */
    int ownerOf(int slot) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).owns(slot)) {
                return i;
            }
        }
        throw new IllegalArgumentException("slot " + slot);
    }

    private static int freePort(List<Node> taken) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = PORT_FROM + ThreadLocalRandom.current().nextInt(PORT_SPAN);
            boolean clash = taken.stream().anyMatch(n -> Math.abs(n.port() - port) < 1);
            if (!clash && bindable(port) && bindable(port + BUS_OFFSET)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port pair (p, p + 1500) with p in 23000-24499");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitPing(Node n, long deadline) {
        while (true) {
            if (!n.process().isAlive()) {
                throw new IllegalStateException("redis-server on port " + n.port() + " exited with code "
                        + n.process().exitValue());
            }
            try (Jedis j = n.connect()) {
                j.ping();
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server on port " + n.port() + " did not answer in 20 s", e);
                }
                pause();
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

    private synchronized void stopAll() {
        for (Node n : nodes) {
            n.process().destroy(); // SIGTERM to this pid only
        }
        for (Node n : nodes) {
            try {
                if (!n.process().waitFor(5, TimeUnit.SECONDS)) {
                    n.process().destroyForcibly();
                    n.process().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs stopAll again, which finds nothing alive
        }
    }
}
