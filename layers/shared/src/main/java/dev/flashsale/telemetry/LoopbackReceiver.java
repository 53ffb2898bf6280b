package dev.flashsale.telemetry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP/HTTP receiver on the loopback interface that answers 200 to anything and counts what it got: the throwaway
 * target of {@link ExportPriming}, and a collector on the same host for the benchmarks and tests.
 */
public final class LoopbackReceiver implements AutoCloseable {

    private final HttpServer server;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    private LoopbackReceiver(HttpServer server) {
        this.server = server;
    }

    public static LoopbackReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            LoopbackReceiver r = new LoopbackReceiver(server);
            server.createContext("/", exchange -> {
                r.bytes.addAndGet(exchange.getRequestBody().readAllBytes().length);
                r.requests.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: an OTLP endpoint, {@code /v1/traces} and {@code /v1/metrics} appended by the exporters. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public long requests() {
        return requests.get();
    }

    public long bytes() {
        return bytes.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
