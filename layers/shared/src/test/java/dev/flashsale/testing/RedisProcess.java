package dev.flashsale.testing;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;
import redis.embedded.core.RedisServerBuilder;

import dev.flashsale.net.Ports;

/**
 * A Redis server of a test's own, on a free loopback port, for tests that must configure or kill it (memory limits,
 * failover): the machine's {@code redis-server} when it is on the PATH (the version the tests otherwise use), else the
 * one bundled with embedded-redis. Stopped by {@link #close()}; nothing is saved to disk.
 */
public final class RedisProcess implements AutoCloseable {

    private final RedisServer server;
    private final int port;

    private RedisProcess(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** @param settings redis.conf lines, e.g. {@code maxmemory 2mb} */
    public static RedisProcess start(List<String> settings) {
        int port = Ports.free();
        RedisServerBuilder builder = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                .setting("save \"\"").setting("appendonly no");
        try {
            builder.executableProvider(ExecutableProvider.newExecutableInPath("redis-server"));
        } catch (FileNotFoundException notInstalled) {
            // the bundled binary (Redis 6.2)
        }
        settings.forEach(builder::setting);
        try {
            RedisServer server = builder.build();
            server.start();
            return new RedisProcess(server, port);
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

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
