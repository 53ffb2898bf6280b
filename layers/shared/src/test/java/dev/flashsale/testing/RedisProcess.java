package dev.flashsale.testing;

import dev.flashsale.net.Ports;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.core.RedisServerBuilder;

/**
 * A Redis server of a test's own, on a free loopback port, for tests that must configure or kill it (memory limits,
 * failover): the machine's {@code redis-server} when it is on the PATH (the version the tests otherwise use), else the
 * one bundled with embedded-redis. Stopped by {@link #close()} (also after {@link #kill()}); nothing is saved to disk
 * unless the settings ask for it.
 */
public final class RedisProcess implements AutoCloseable {

    private final RedisServer server;
    private final int port;
    private volatile long pid;
    private volatile boolean killed;

    private RedisProcess(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** @param settings redis.conf lines, e.g. {@code maxmemory 2mb} */
    public static RedisProcess start(List<String> settings) {
        return start(Ports.free(), settings);
    }

    /** On {@code port}, which the caller found free (a cluster node's bus port must be free too: port + 10000). */
    public static RedisProcess start(int port, List<String> settings) {
        RedisServerBuilder builder = RedisServer.newRedisServer()
                .bind("127.0.0.1")
                .port(port)
                .setting("save \"\"")
                .setting("appendonly no");
        try {
            builder.executableProvider(ExecutableProvider.newExecutableInPath("redis-server"));
        } catch (FileNotFoundException notInstalled) {
            // the bundled binary (Redis 6.2)
        }
        settings.forEach(builder::setting);
        try {
            RedisServer server = builder.build();
            server.start();
            RedisProcess process = new RedisProcess(server, port);
            process.pid(); // known even once the server is gone
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start a redis-server on port " + port, e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** A plain connection straight to this server (not through any proxy), 2 s timeouts; close it when done. */
    public Jedis connect() {
        return new Jedis(
                new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(2_000)
                        .socketTimeoutMillis(2_000)
                        .autoNegotiateProtocol(false)
                        .build());
    }

    /** The server's process id, as it reports it ({@code INFO server}, {@code process_id}). */
    public long pid() {
        long p = pid;
        if (p == 0) {
            try (Jedis j = connect()) {
                p = Long.parseLong(field(j.info("server"), "process_id")
                        .orElseThrow(() -> new IllegalStateException("INFO server has no process_id")));
            }
            pid = p;
        }
        return p;
    }

    /**
     * Kills the server with SIGKILL, as a node dies in a failover: no shutdown, no last write reaches a replica or a
     * client. Returns once the process is gone.
     */
    public void kill() {
        long p = pid();
        killed = true;
        ProcessHandle.of(p).ifPresent(h -> {
            h.destroyForcibly(); // SIGKILL on Linux and macOS
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("redis-server " + p + " did not die within 10 s of SIGKILL", e);
            }
        });
    }

    public boolean killed() {
        return killed;
    }

    /** Whether the process still runs. */
    public boolean alive() {
        return !killed && ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The value of {@code name} in an {@code INFO} reply. */
    public static Optional<String> field(String info, String name) {
        String prefix = name + ":";
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                return Optional.of(line.substring(prefix.length()).trim());
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        try {
            server.stop(); // after kill(): reaps the dead process
        } catch (IOException e) {
            if (!killed) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
